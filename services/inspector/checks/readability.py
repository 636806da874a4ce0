"""Readability: Flesch reading ease (and, for English, the Flesch-Kincaid grade) mapped to
[0, 1]; too short a text or an unsupported language is not judged. Prose harder than plain
warns; only the extremes fail (a gate by default)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from services.inspector.checks.base import Finding, Item
from services.inspector.checks.text import words

# Texts of one language in, (reading ease, grade or None) per text out.
Measure = Callable[[list[str], str], list[tuple[float, float | None]]]

# Languages whose Flesch formula textstat knows; the grade formula is English only.
LANGUAGES = frozenset({"en", "de", "es", "fr", "it", "nl", "ru"})
# Below this many words the formulas swing wildly: "Yes, in 1887." is not hard prose.
MIN_WORDS = 8
PLAIN_EASE = 50.0  # at or above: plain prose
PLAIN_GRADE, HARDEST_GRADE = 12.0, 20.0
# No prose reads below 0 or above grade 30: that is a list of long words, not sentences.
UNREADABLE_EASE, UNREADABLE_GRADE = 0.0, 30.0


def check_readability(batch: list[Item], measure: Measure) -> list[Finding]:
    found: list[Finding | None] = [None] * len(batch)
    by_language: dict[str, list[int]] = defaultdict(list)
    for i, item in enumerate(batch):
        language = _language(item)
        if len(words(item.prose)) < MIN_WORDS:
            found[i] = Finding(1.0, backend="skipped:short")
        elif language not in LANGUAGES:
            found[i] = Finding(1.0, backend=f"skipped:{language}")
        else:
            by_language[language].append(i)
    for language, indices in by_language.items():
        values = measure([batch[i].prose for i in indices], language)
        for i, (ease, grade) in zip(indices, values, strict=True):
            found[i] = readability(ease, grade, f"textstat:{language}")
    return [f for f in found if f is not None]


def _language(item: Item) -> str:
    return item.quality.output_language or item.example.language or "en"


def readability(ease: float, grade: float | None, backend: str) -> Finding:
    score = _clip(ease / PLAIN_EASE)
    if grade is not None:
        score = (score + _clip((HARDEST_GRADE - grade) / (HARDEST_GRADE - PLAIN_GRADE))) / 2
    if score >= 0.5:
        return Finding(score, backend=backend)
    detail = f"flesch={ease:.0f}" + (f", grade={grade:.0f}" if grade is not None else "")
    if ease < UNREADABLE_EASE or (grade is not None and grade > UNREADABLE_GRADE):
        return Finding(score, f"unreadable({detail})", failed=True, backend=backend)
    return Finding(score, f"hard_to_read({detail})", backend=backend)


def _clip(value: float) -> float:
    return max(0.0, min(1.0, value))
