"""Pure refining steps: main text from HTML, chunk texts, junk verdicts, dedup keys."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

import trafilatura

from services.refiner.chunking import Counter, chunk_spans
from shared.config import ProcessingConfig

_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class Piece:
    index: int
    text: str
    tokens: int
    start: int
    end: int
    key: str


def extract(html: bytes) -> tuple[str, str]:
    """Main text and the extractor that found it; ("", "none") when there is none."""
    text = trafilatura.extract(
        html,
        include_tables=True,
        include_formatting=False,
        include_comments=False,
        favor_recall=True,
        deduplicate=False,
    )
    if text and text.strip():
        return text.strip(), "trafilatura"
    fallback = trafilatura.html2txt(html)
    if fallback and fallback.strip():
        return fallback.strip(), "html2txt"
    return "", "none"


def dedup_key(text: str) -> str:
    """Exact-duplicate key: case, punctuation and spacing do not make a chunk new."""
    normal = " ".join(_WORD.findall(text.lower()))
    return hashlib.blake2b(normal.encode(), digest_size=16).hexdigest()


def junk_reason(piece: Piece, config: ProcessingConfig) -> str | None:
    if piece.tokens < config.min_chunk_tokens:
        return "too_short"
    letters = sum(ch.isalpha() for ch in piece.text)
    if letters < 0.5 * len(piece.text.replace(" ", "")):
        return "mostly_symbols"
    return None


def pieces(text: str, config: ProcessingConfig, count: Counter) -> list[Piece]:
    spans = chunk_spans(text, config.chunk_size, count, config.chunk_overlap)
    out = []
    for i, span in enumerate(spans):
        body = text[span.start : span.end]
        out.append(Piece(i, body, span.tokens, span.start, span.end, dedup_key(body)))
    return out
