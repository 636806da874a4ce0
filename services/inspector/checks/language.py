"""Language: the example is written in its job's output language or, without one, in its
source chunk's; a question and its answer share one language."""

from __future__ import annotations

import re
from collections.abc import Callable

from services.inspector.checks.base import LABEL_TEMPLATES, SOURCE_INPUT_TEMPLATES, Finding, Item

Identify = Callable[[str], tuple[str, float]]  # text -> (ISO 639-1 code, probability)

BACKEND = "py3langid"
# Shorter text is too little evidence: "Yes, in 1887." could be several languages.
MIN_LETTERS = 15
MIN_CONFIDENCE = 0.8
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
# Languages the identifier confuses on short text and a reader would accept as one.
_SAME = {"nb": "no", "nn": "no", "da": "no", "gl": "es", "ca": "es", "lb": "de", "fy": "nl"}


def check_language(batch: list[Item], identify: Identify) -> list[Finding]:
    return [_language(item, identify) for item in batch]


def _language(item: Item, identify: Identify) -> Finding:
    ex = item.example
    if ex.template in LABEL_TEMPLATES:
        return Finding(1.0, backend="skipped:label")
    sides = [("output", ex.output)]
    if ex.template not in SOURCE_INPUT_TEMPLATES:
        sides.insert(0, ("input", ex.input))
    found = {side: detect(text, identify) for side, text in sides}
    expected = item.quality.output_language or ex.language or found.get("input")
    for side, lang in found.items():
        if lang and expected and _family(lang) != _family(expected):
            return Finding(0.0, f"language: {side} is {lang}, expected {expected}", True, BACKEND)
    return Finding(1.0, backend=BACKEND)


def detect(text: str, identify: Identify) -> str | None:
    """The text's language when it is long and clear enough to tell, else None."""
    if len(_LETTER.findall(text[:400])) < MIN_LETTERS:
        return None
    lang, confidence = identify(text[:400])
    return lang if confidence >= MIN_CONFIDENCE else None


def _family(lang: str) -> str:
    base = lang.split("-")[0].lower()
    return _SAME.get(base, base)
