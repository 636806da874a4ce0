"""Pure quality checks: each returns a score in [0, 1]; the mean decides against the threshold."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from shared.config import QualityConfig
from shared.events import ExampleGenerated

Readability = Callable[[str], float]
Toxicity = Callable[[list[str]], list[float]]  # probability each text is offensive

TOXIC_PROBABILITY = 0.5

# Flesch reading ease at or above this reads as plain prose; below it the score falls linearly.
_PLAIN_FLESCH = 50.0
_MIN_OUTPUT_WORDS = 2
# Templates whose output is a label: the prose worth judging is the input.
_LABEL_TEMPLATES = frozenset({"classification"})


@dataclass(frozen=True)
class Verdict:
    scores: dict[str, float]
    score: float
    passed: bool
    reasons: list[str]


def format_score(example: ExampleGenerated) -> tuple[float, str | None]:
    if not example.input.strip() or not example.output.strip():
        return 0.0, "empty_field"
    if example.input.strip() == example.output.strip():
        return 0.0, "output_repeats_input"
    if example.template not in _LABEL_TEMPLATES and len(example.output.split()) < _MIN_OUTPUT_WORDS:
        return 0.5, "output_too_short"
    return 1.0, None


def readability_score(text: str, flesch: Readability) -> tuple[float, str | None]:
    value = flesch(text)
    score = max(0.0, min(1.0, value / _PLAIN_FLESCH))
    return score, None if score >= 0.5 else f"hard_to_read(flesch={value:.0f})"


def toxicity_score(probabilities: tuple[float, float]) -> tuple[float, str | None]:
    """1 minus the likelier-toxic side's probability; either side toxic fails the example."""
    worst = max(probabilities)
    return 1.0 - worst, f"toxic(p={worst:.2f})" if worst >= TOXIC_PROBABILITY else None


@dataclass(frozen=True)
class Scorers:
    flesch: Readability
    toxic: Toxicity


def _scores(
    example: ExampleGenerated,
    quality: QualityConfig,
    scorers: Scorers,
    toxicity: tuple[float, float],
) -> dict[str, tuple[float, str | None]]:
    checks = quality.checks
    prose = example.input if example.template in _LABEL_TEMPLATES else example.output
    found = {}
    if "format" in checks:
        found["format"] = format_score(example)
    if "readability" in checks:
        found["readability"] = readability_score(prose, scorers.flesch)
    if "toxicity" in checks:
        found["toxicity"] = toxicity_score(toxicity)
    return found


def _toxicities(
    batch: list[tuple[ExampleGenerated, QualityConfig]], toxic: Toxicity
) -> list[tuple[float, float]]:
    """Both sides of every example that asks for the check, scored in one call: the model
    is many times faster on a list than on one text at a time."""
    wanted = [ex for ex, quality in batch if "toxicity" in quality.checks]
    found = iter(toxic([text for ex in wanted for text in (ex.input, ex.output)]) if wanted else [])
    return [
        (next(found), next(found)) if "toxicity" in quality.checks else (0.0, 0.0)
        for _, quality in batch
    ]


def inspect(batch: list[tuple[ExampleGenerated, QualityConfig]], scorers: Scorers) -> list[Verdict]:
    """Per example, the mean of the configured checks against `min_score`; an empty or
    echoed output and a toxic side fail whatever the mean."""
    toxicities = _toxicities(batch, scorers.toxic)
    return [
        _verdict(_scores(ex, quality, scorers, tox), quality.min_score)
        for (ex, quality), tox in zip(batch, toxicities, strict=True)
    ]


def _verdict(found: dict[str, tuple[float, str | None]], min_score: float) -> Verdict:
    scores = {name: value for name, (value, _) in found.items()}
    reasons = [why for _, why in found.values() if why]
    score = sum(scores.values()) / len(scores) if scores else 1.0
    vetoed = scores.get("format", 1.0) == 0 or any(r.startswith("toxic") for r in reasons)
    passed = score >= min_score and not vetoed
    if score < min_score:
        reasons.append(f"score {score:.2f} < {min_score:.2f}")
    return Verdict(scores, round(score, 4), passed, reasons)
