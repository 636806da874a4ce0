"""Junk verdicts on chunk text, decided before any LLM token is paid; each names its reason."""

from __future__ import annotations

import re
from collections.abc import Callable

# Lines that are site furniture rather than content, in the corpus's languages.
_BOILERPLATE = re.compile(
    r"\b(cookies?|all rights reserved|alle rechte vorbehalten|tous droits réservés|"
    r"privacy policy|terms of (use|service)|datenschutz\w*|impressum|newsletter|"
    r"(log|sign) ?(in|up)|anmelden|registrieren|subscribe|abonnieren|share (on|this)|teilen|"
    r"follow us|folge uns|skip to (main )?content|zum inhalt springen|javascript)\b|"
    r"^(home|startseite|menu|menü|kontakt|contact|search|suche|next|previous|weiter|zurück)$",
    re.I,
)

_SPACE = re.compile(r"\s")
_SYMBOL = re.compile(r"[^\w\s]|_")

MIN_LINES = 4
SYMBOL_SHARE = 0.5  # at least half of the non-space characters must be letters or digits
REPEATED_SHARE = 0.3  # Gopher's duplicate-line fraction
BOILERPLATE_SHARE = 0.5
SHORT_LINE_SHARE = 0.8  # a menu or tag cloud: nearly all lines of a word or two
SHORT_LINE_WORDS = 2

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
    return sum(bool(_BOILERPLATE.search(line)) for line in short) >= BOILERPLATE_SHARE * len(lines)


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


def verdict(text: str, tokens: int, min_tokens: int, max_tokens: int) -> str | None:
    """The first reason this chunk is junk, or None when it is worth paying for."""
    if tokens < min_tokens:
        return "too_short"
    if tokens > max_tokens:
        return "unsplittable"  # one run with no space in it longer than a whole chunk
    lines = _lines(text)
    return next((reason for reason, check in CHECKS if check(text, lines)), None)
