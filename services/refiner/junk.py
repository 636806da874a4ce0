"""Junk verdicts on chunk text, decided before any LLM token is paid; each names its reason.
The coherence rules are the inspector's too (`shared.contract.coherence`), with a chunk's limits."""

from __future__ import annotations

import re
from collections.abc import Callable

from shared.contract import coherence, repetition

_SPACE = re.compile(r"\s")
_SYMBOL = re.compile(r"[^\w\s]|_")

MIN_LINES = 4
SYMBOL_SHARE = 0.5  # at least half of the non-space characters must be letters or digits
REPEATED_SHARE = 0.3  # Gopher's duplicate-line fraction
BOILERPLATE_SHARE = 0.5
SHORT_LINE_SHARE = 0.8  # a menu or tag cloud: nearly all lines of a word or two
SHORT_LINE_WORDS = 2

# Gopher's rules hold for whole documents; a chunk is a slice of markdown with headings,
# lists and tables, so its limits are looser where real chunks of the corpus came near:
# its 381 kept chunks lose one (a price list) and no `with` snippet; pages of random
# words (stop words under 2 %) all go.
CHUNK = coherence.Limits(
    min_stop_share=0.04,  # prose: 0.3-0.5; reference lists and German news: 0.07
    stop_share_from=50,
    word_length=(2.5, 12.0),
    min_alpha_words=0.3,  # tables of figures are content
    alpha_words_from=50,
    repetition=repetition.Limits(
        top_ngrams=((2, 0.3), (3, 0.28), (4, 0.25)),
        duplicate_ngrams=((5, 0.4), (10, 0.3)),  # a title repeated in its teaser: 0.25
    ),
)

Check = Callable[[str, list[str]], bool]


def _lines(text: str) -> list[str]:
    return [line.strip(" -*|#>\t") for line in text.splitlines() if line.strip(" -*|#>\t")]


def mostly_symbols(text: str, lines: list[str]) -> bool:
    visible = len(text) - len(_SPACE.findall(text))
    return len(_SYMBOL.findall(text)) > (1 - SYMBOL_SHARE) * visible


def repeated_lines(text: str, lines: list[str]) -> bool:
    if len(lines) < MIN_LINES:
        return False
    return len(lines) - len({line.lower() for line in lines}) > REPEATED_SHARE * len(lines)


def boilerplate(text: str, lines: list[str]) -> bool:
    if len(lines) < MIN_LINES:
        return False
    short = [line for line in lines if len(line) < 200]
    # Prose lines are long: most chunks are done here without running the pattern.
    if len(short) < BOILERPLATE_SHARE * len(lines):
        return False
    furniture = sum(bool(coherence.BOILERPLATE.search(line)) for line in short)
    return furniture >= BOILERPLATE_SHARE * len(lines)


def menu_like(text: str, lines: list[str]) -> bool:
    if len(lines) < 2 * MIN_LINES:
        return False
    short = sum(len(line.split()) <= SHORT_LINE_WORDS for line in lines)
    return short >= SHORT_LINE_SHARE * len(lines)


CHECKS: tuple[tuple[str, Check], ...] = (
    ("mostly_symbols", mostly_symbols),
    ("repeated_lines", repeated_lines),
    ("boilerplate", boilerplate),
    ("menu_like", menu_like),
)


def verdict(
    text: str, tokens: int, min_tokens: int, max_tokens: int, language: str | None = None
) -> str | None:
    """The first reason this chunk is junk, or None when it is worth paying for."""
    if tokens < min_tokens:
        return "too_short"
    if tokens > max_tokens:
        return "unsplittable"  # one run with no space in it longer than a whole chunk
    lines = _lines(text)
    found = next((reason for reason, check in CHECKS if check(text, lines)), None)
    return found or coherence.incoherent(text, language, CHUNK)
