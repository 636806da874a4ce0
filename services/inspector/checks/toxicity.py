"""Toxicity: the likelier-toxic side of each example, scored by one model call per batch."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from services.inspector.checks.base import Finding, Item


@dataclass(frozen=True)
class Scored:
    probabilities: list[float]  # per text, the probability that it is toxic
    backend: str
    # A model trained on English only: on other languages its word list misfires ("Wie
    # hoch sind die Türme?" scores 0.94), so it does not judge them.
    english_only: bool = False


def check_toxicity(batch: list[Item], classify: Callable[[list[str]], Scored]) -> list[Finding]:
    """Both sides of every example in one call to `classify`."""
    if not batch:
        return []
    texts = [text for item in batch for text in (item.example.input, item.example.output)]
    scored = classify(texts)
    pairs = zip(scored.probabilities[::2], scored.probabilities[1::2], strict=True)
    return [
        _skipped(scored)
        if scored.english_only and _language(item) != "en"
        else toxicity(max(pair), item.quality.toxicity_threshold, scored.backend)
        for item, pair in zip(batch, pairs, strict=True)
    ]


def _language(item: Item) -> str:
    return item.quality.output_language or item.example.language or "en"


def _skipped(scored: Scored) -> Finding:
    return Finding(1.0, backend=f"skipped:{scored.backend} reads English only")


def toxicity(worst: float, threshold: float, backend: str) -> Finding:
    if worst >= threshold:
        return Finding(1.0 - worst, f"toxic(p={worst:.2f})", failed=True, backend=backend)
    return Finding(1.0 - worst, backend=backend)
