"""Recursive token chunking: paragraphs, then lines, then sentences, then words."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

# Separators from coarse to fine; a piece that is still too long moves to the next one.
_SEPARATORS = (
    re.compile(r"\n\s*\n"),
    re.compile(r"\n"),
    re.compile(r"(?<=[.!?])\s+"),
    re.compile(r"\s+"),
)

Counter = Callable[[str], int]
_MARGIN = 8


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    tokens: int


def _pieces(text: str, start: int, end: int, level: int) -> list[tuple[int, int]]:
    spans, cursor = [], start
    for match in _SEPARATORS[level].finditer(text, start, end):
        if match.start() > cursor:
            spans.append((cursor, match.start()))
        cursor = match.end()
    if cursor < end:
        spans.append((cursor, end))
    return spans


def _split(text: str, start: int, end: int, level: int, limit: int, count: Counter) -> list[Span]:
    tokens = count(text[start:end])
    if tokens <= limit or level >= len(_SEPARATORS):
        return [Span(start, end, tokens)]
    pieces = _pieces(text, start, end, level)
    if len(pieces) <= 1:
        return _split(text, start, end, level + 1, limit, count)
    out: list[Span] = []
    for a, b in pieces:
        out.extend(_split(text, a, b, level + 1, limit, count))
    return out


def chunk_spans(text: str, limit: int, count: Counter, overlap: int = 0) -> list[Span]:
    """Greedily merges the finest needed pieces into chunks of at most `limit` tokens.

    Offsets index into `text`; a chunk never ends inside a word. With `overlap`, a chunk
    starts with the trailing pieces of its predecessor worth up to `overlap` tokens.
    """
    pieces = _split(text, 0, len(text), 0, limit, count)
    chunks: list[Span] = []
    group: list[Span] = []
    for piece in pieces:
        if group and not _fits(text, group, piece, limit, count):
            chunks.append(_close(text, group, count))
            group = _tail(group, overlap, limit - piece.tokens)
            if group and not _fits(text, group, piece, limit, count):
                group = []
        group.append(piece)
    if group:
        chunks.append(_close(text, group, count))
    return chunks


def _fits(text: str, group: list[Span], piece: Span, limit: int, count: Counter) -> bool:
    # Tokens of joined pieces are about their sum plus one per separator; only near the
    # limit is the exact count of the joined text worth its cost.
    estimate = sum(p.tokens for p in group) + piece.tokens + len(group)
    if estimate <= limit - _MARGIN:
        return True
    return count(text[group[0].start : piece.end]) <= limit


def _tail(group: list[Span], overlap: int, room: int) -> list[Span]:
    kept: list[Span] = []
    budget = min(overlap, room)
    for piece in reversed(group):
        if piece.tokens > budget:
            break
        kept.insert(0, piece)
        budget -= piece.tokens
    return kept


def _close(text: str, group: list[Span], count: Counter) -> Span:
    start, end = group[0].start, group[-1].end
    return Span(start, end, count(text[start:end]))
