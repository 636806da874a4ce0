"""Pure quality checks: each returns a score in [0, 1]; the mean decides against the threshold."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from shared.events import ExampleGenerated

Readability = Callable[[str], float]

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


def inspect(example: ExampleGenerated, flesch: Readability) -> Verdict:
    checks = example.config.quality.checks
    scores: dict[str, float] = {}
    reasons: list[str] = []
    if "format" in checks:
        scores["format"], why = format_score(example)
        reasons += [why] if why else []
    if "readability" in checks:
        prose = example.input if example.template in _LABEL_TEMPLATES else example.output
        scores["readability"], why = readability_score(prose, flesch)
        reasons += [why] if why else []
    score = sum(scores.values()) / len(scores) if scores else 1.0
    passed = score >= example.config.quality.min_score and scores.get("format", 1.0) > 0
    if not passed:
        reasons.append(f"score {score:.2f} < {example.config.quality.min_score:.2f}")
    return Verdict(scores, round(score, 4), passed, reasons)
