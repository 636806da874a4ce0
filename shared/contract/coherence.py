"""Coherence of a text: the Gopher quality rules (Rae et al. 2021, as datatrove implements
them), boilerplate and canned filler, then `repetition`. Tuned from one sentence to a chunk;
pure, so the refiner runs it on chunks and the inspector on answers."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from shared.contract import repetition, stopwords

_WORD = re.compile(r"\w+(?:['\u2019]\w+)*", re.UNICODE)
_TOKEN = re.compile(r"\S*[^\W_]\S*")  # a word or a figure, with its punctuation
_ALPHA_TOKEN = re.compile(r"\S*[^\W\d_]\S*")  # one with a letter
_SENTENCE = re.compile(r"(?<=[.!?\u3002\uff01\uff1f])\s+|\n+")  # with CJK full stops
_PARAGRAPH = re.compile(r"\n\s*\n")
# Scripts written without spaces between words (kana, CJK ideographs, Hangul, Thai).
_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\u0e00-\u0e7f]")
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
_ELLIPSIS = ("...", "…")
_HEADING = re.compile(r"^#{1,6}\s", re.M)  # markdown's, as the refiner writes headings
_BULLETS = ("•", "●", "▪", "‣", "◦")
# Site furniture rather than content, in the corpus's languages.
BOILERPLATE = re.compile(
    r"\b(cookies?|all rights reserved|alle rechte vorbehalten|tous droits réservés|"
    r"privacy policy|terms of (use|service)|datenschutz\w*|impressum|newsletter|"
    r"(log|sign) ?(in|up)|anmelden|registrieren|subscribe|abonnieren|share (on|this)|teilen|"
    r"follow us|folge uns|skip to (main )?content|zum inhalt springen|javascript)\b|"
    r"^(home|startseite|menu|menü|kontakt|contact|search|suche|next|previous|weiter|zurück)$",
    re.I,
)
# Text a template or a model writes when it has nothing to say.
FILLER = re.compile(
    r"\b((this|here) is an? (example|sample|placeholder|dummy|test|generic) "
    r"(answer|response|text|sentence|question|output)|lorem ipsum|as an ai( language)? model|"
    r"(answer|response|text) goes here|insert (the )?(answer|text) here)\b",
    re.I,
)


@dataclass(frozen=True)
class Limits:
    """Gopher's thresholds where they hold on short texts; each rule waits for enough words
    to judge, since a one-line factual answer may hold one stop word ("On 4 March 1890.")."""

    min_stop_words: int = 2
    stop_words_from: int = 12
    min_stop_share: float = 0.1  # prose: 0.3-0.5; a page of random words: under 0.02
    stop_share_from: int = 30
    word_length: tuple[float, float] = (3.0, 10.0)
    word_length_from: int = 5
    max_symbols_per_word: float = 0.1  # hashes and ellipses
    max_bullet_lines: float = 0.9
    max_ellipsis_lines: float = 0.3
    min_alpha_words: float = 0.8
    alpha_words_from: int = 12
    max_boilerplate: float = 0.5  # of the lines and sentences, each short and matching
    repetition: repetition.Limits = field(default_factory=repetition.Limits)


ANSWER = Limits()


def unspaced(text: str) -> bool:
    """Word rules need spaces between words: Japanese or Chinese text skips them."""
    if not _UNSPACED.search(text):  # most text: done without counting letters
        return False
    return len(_UNSPACED.findall(text)) > 0.3 * len(_LETTER.findall(text))


def incoherent(text: str, language: str | None, limits: Limits = ANSWER) -> str | None:
    """The first rule `text` breaks, named with its figure, or None."""
    folded = unicodedata.normalize("NFKC", text)
    words = _WORD.findall(folded.casefold())
    lines = [s.strip() for s in folded.splitlines() if s.strip()]
    sentences = [s.strip() for s in _SENTENCE.split(folded) if s.strip()]
    paragraphs = [p.strip() for p in _PARAGRAPH.split(folded) if p.strip()]
    if FILLER.search(folded):
        return "filler"
    if BOILERPLATE.search(folded) and _boilerplate(lines, sentences, limits):
        return "boilerplate"
    parts = {"lines": lines, "sentences": sentences, "paragraphs": paragraphs}
    found = repetition.repeated(folded, parts, words, limits.repetition)
    if found is None and words and not unspaced(folded):
        found = _quality(folded, words, lines, language, limits)
    return found


def _boilerplate(lines: list[str], sentences: list[str], limits: Limits) -> bool:
    for parts in (lines, sentences):
        furniture = sum(len(p.split()) <= 8 and bool(BOILERPLATE.search(p)) for p in parts)
        if parts and furniture / len(parts) >= limits.max_boilerplate and furniture >= 2:
            return True
    return False


def _quality(
    text: str, words: list[str], lines: list[str], language: str | None, limits: Limits
) -> str | None:
    n = len(words)
    listed = stopwords.of(language)
    stops = sum(w in listed for w in words)
    if n >= limits.stop_words_from and stops < limits.min_stop_words:
        return f"few_stop_words({stops} in {n} words)"
    if n >= limits.stop_share_from and stops / n < limits.min_stop_share:
        return f"few_stop_words({stops} in {n} words)"
    mean = sum(len(w) for w in words) / n
    low, high = limits.word_length
    if n >= limits.word_length_from and not low <= mean <= high:
        return f"mean_word_length({mean:.1f})"
    hashes = text.count("#") - sum(len(h) - 1 for h in _HEADING.findall(text))
    symbols = hashes + sum(text.count(e) for e in _ELLIPSIS)
    if symbols / n > limits.max_symbols_per_word:
        return f"symbols_per_word({symbols / n:.2f})"
    # Shares of lines need lines: a one-line teaser ending in "..." is still a sentence.
    if len(lines) >= 3:
        bullets = sum(line.startswith(_BULLETS) for line in lines) / len(lines)
        if bullets > limits.max_bullet_lines:
            return f"bullet_lines({bullets:.2f})"
        trailing = sum(line.endswith(_ELLIPSIS) for line in lines) / len(lines)
        if trailing > limits.max_ellipsis_lines:
            return f"ellipsis_lines({trailing:.2f})"
    tokens = len(_TOKEN.findall(text))
    if tokens >= limits.alpha_words_from:
        alpha = len(_ALPHA_TOKEN.findall(text)) / tokens
        if alpha < limits.min_alpha_words:
            return f"alpha_words({alpha:.2f})"
    return None
