"""Pure quality checks: each returns a score in [0, 1]; the mean decides against the threshold."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

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


def toxicity_score(example: ExampleGenerated, toxic: Toxicity) -> tuple[float, str | None]:
    """1 minus the likelier-toxic side's probability; either side toxic fails the example."""
    worst = max(toxic([example.input, example.output]))
    return 1.0 - worst, f"toxic(p={worst:.2f})" if worst >= TOXIC_PROBABILITY else None


@dataclass(frozen=True)
class Scorers:
    flesch: Readability
    toxic: Toxicity


def _scores(example: ExampleGenerated, scorers: Scorers) -> dict[str, tuple[float, str | None]]:
    checks = example.config.quality.checks
    prose = example.input if example.template in _LABEL_TEMPLATES else example.output
    found = {}
    if "format" in checks:
        found["format"] = format_score(example)
    if "readability" in checks:
        found["readability"] = readability_score(prose, scorers.flesch)
    if "toxicity" in checks:
        found["toxicity"] = toxicity_score(example, scorers.toxic)
    return found


def inspect(example: ExampleGenerated, scorers: Scorers) -> Verdict:
    """The mean of the configured checks against `min_score`; an empty or echoed output and
    a toxic side fail whatever the mean."""
    found = _scores(example, scorers)
    scores = {name: value for name, (value, _) in found.items()}
    reasons = [why for _, why in found.values() if why]
    score = sum(scores.values()) / len(scores) if scores else 1.0
    vetoed = scores.get("format", 1.0) == 0 or any(r.startswith("toxic") for r in reasons)
    passed = score >= example.config.quality.min_score and not vetoed
    if score < example.config.quality.min_score:
        reasons.append(f"score {score:.2f} < {example.config.quality.min_score:.2f}")
    return Verdict(scores, round(score, 4), passed, reasons)
