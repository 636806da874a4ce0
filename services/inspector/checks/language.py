"""Language: the answer, its question and every turn of a dialogue are written in the job's
output language or, without one, in the source chunk's (with neither known, the answer in
its question's)."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable

from services.inspector.checks.base import (
    LABEL_TEMPLATES,
    SOURCE_INPUT_TEMPLATES,
    Finding,
    Item,
    said,
)

Identify = Callable[[str], tuple[str, float]]  # text -> (ISO 639-1 code, probability)

BACKEND = "py3langid"
# Shorter text is too little evidence: "Yes, in 1887." could be several languages.
MIN_LETTERS = 15
MIN_CONFIDENCE = 0.8
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
# Languages the identifier confuses on short text and a reader would accept as one.
_SAME = {"nb": "no", "nn": "no", "da": "no", "gl": "es", "ca": "es", "lb": "de", "fy": "nl"}
# The script a language is written in, when not Latin; kana and hanzi count as one (CJK).
_SCRIPTS = {
    **dict.fromkeys(("ru", "uk", "bg", "sr", "mk", "be", "kk"), "CYRILLIC"),
    **dict.fromkeys(("ja", "zh"), "CJK"),
    **dict.fromkeys(("ar", "fa", "ur"), "ARABIC"),
    "el": "GREEK", "he": "HEBREW", "ko": "HANGUL", "th": "THAI", "hi": "DEVANAGARI",
}  # fmt: skip
_CJK = frozenset({"HIRAGANA", "KATAKANA", "CJK"})
# A letter outside Latin's blocks (Basic, Latin-1, Extended-A/B, Extended Additional).
_NOT_LATIN = re.compile(r"[^\W\d_A-Za-z\u00c0-\u024f\u1e00-\u1eff]")


def check_language(batch: list[Item], identify: Identify) -> list[Finding]:
    return [_language(item, identify) for item in batch]


def _language(item: Item, identify: Identify) -> Finding:
    ex = item.example
    if ex.template in LABEL_TEMPLATES:
        return Finding(1.0, backend="skipped:label")
    expected = item.quality.output_language or ex.language
    sides = [("output", ex.output)]
    if expected is None and ex.template not in SOURCE_INPUT_TEMPLATES:
        expected = detect(ex.input, identify)  # no chunk language: the question's
    elif ex.template not in SOURCE_INPUT_TEMPLATES:
        sides.append(("input", ex.input))  # a summary's input is the chunk itself
    sides += [(f"turn {i}", turn) for i, turn in enumerate(said(ex), start=1)]
    for side, text in sides:
        lang = detect(text, identify)
        if lang and expected and _family(lang) != _family(expected):
            return Finding(0.0, f"language: {side} is {lang}, expected {expected}", True, BACKEND)
        # Short text the identifier is unsure of still shows its script.
        written = script(text)
        wanted = _SCRIPTS.get(_family(expected or ""), "LATIN")
        if expected and written and written != wanted:
            why = f"language: {side} is in {written.lower()} script, expected {expected}"
            return Finding(0.0, why, True, BACKEND)
    return Finding(1.0, backend=BACKEND)


def script(text: str) -> str | None:
    """The script most of the text's first letters are written in (Unicode's name for it)."""
    head = text[:200]
    if not _NOT_LATIN.search(head):  # most text: no letter to name one by one
        return "LATIN" if _LETTER.search(head) else None
    names = (unicodedata.name(c, "").split(" ")[0] for c in _LETTER.findall(head))
    found = Counter("CJK" if n in _CJK else n for n in names if n)
    return found.most_common(1)[0][0] if found else None


def detect(text: str, identify: Identify) -> str | None:
    """The text's language when it is long and clear enough to tell, else None."""
    if len(_LETTER.findall(text[:200])) < MIN_LETTERS:
        return None
    lang, confidence = identify(text[:200])  # enough to tell, at half the cost
    return lang if confidence >= MIN_CONFIDENCE else None


def _family(lang: str) -> str:
    base = lang.split("-")[0].lower()
    return _SAME.get(base, base)
