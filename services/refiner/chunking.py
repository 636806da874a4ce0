"""Recursive token chunking: paragraphs, then lines, then sentences, then words."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

# Separators from coarse to fine; a piece that is still too long moves to the next one.
_SEPARATORS = (
    re.compile(r"\n\s*\n"),
    re.compile(r"\n"),
    re.compile(r"(?<=[.!?])\s+"),
    re.compile(r"\s+"),
)

Counter = Callable[[str], int]
# Joining two pieces changes the token count by a token or two at the seam; an estimate this
# far inside the limit needs no exact count.
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
    """Pieces of text[start:end] at separator `level`, each split finer while over the limit.

    Only pieces are counted, never the whole: a text is tokenized about twice in all (its
    pieces, then its chunks) instead of once per separator level."""
    out: list[Span] = []
    for a, b in _pieces(text, start, end, level):
        tokens = count(text[a:b])
        if tokens <= limit or level + 1 >= len(_SEPARATORS):
            out.append(Span(a, b, tokens))
        else:
            out.extend(_split(text, a, b, level + 1, limit, count))
    return out


@dataclass
class _Group:
    """Pieces being merged into one chunk; `tokens` is exact when `exact`, else an estimate."""

    text: str
    limit: int
    count: Counter
    pieces: list[Span] = field(default_factory=list)
    tokens: int = 0
    exact: bool = True

    def _count_to(self, end: int) -> int:
        return self.count(self.text[self.pieces[0].start : end])

    def add(self, piece: Span) -> bool:
        """Adds `piece` when the joined text stays within the limit; False leaves it as it was."""
        if not self.pieces:
            self.pieces, self.tokens, self.exact = [piece], piece.tokens, True
            return True
        if self.tokens + piece.tokens + 1 > self.limit - _MARGIN and not self.exact:
            self.tokens, self.exact = self._count_to(self.pieces[-1].end), True
        estimate = self.tokens + piece.tokens + 1
        if estimate <= self.limit - _MARGIN:
            self.pieces.append(piece)
            self.tokens, self.exact = estimate, False
            return True
        if estimate > self.limit + _MARGIN:
            return False
        joined = self._count_to(piece.end)
        if joined > self.limit:
            return False
        self.pieces.append(piece)
        self.tokens, self.exact = joined, True
        return True

    def close(self) -> Span:
        if not self.exact:
            self.tokens, self.exact = self._count_to(self.pieces[-1].end), True
        return Span(self.pieces[0].start, self.pieces[-1].end, self.tokens)

    def tail(self, overlap: int, room: int) -> _Group:
        """A new group starting with the trailing pieces worth up to `overlap` tokens."""
        kept: list[Span] = []
        budget = min(overlap, room)
        for piece in reversed(self.pieces):
            if piece.tokens > budget:
                break
            kept.insert(0, piece)
            budget -= piece.tokens
        estimate = sum(p.tokens for p in kept) + len(kept) - 1
        return _Group(self.text, self.limit, self.count, kept, max(estimate, 0), len(kept) <= 1)


def chunk_spans(text: str, limit: int, count: Counter, overlap: int = 0) -> list[Span]:
    """Greedily merges the finest needed pieces into chunks of at most `limit` tokens.

    Offsets index into `text`; a chunk never ends inside a word. With `overlap`, a chunk
    starts with the trailing pieces of its predecessor worth up to `overlap` tokens.
    """
    chunks: list[Span] = []
    group = _Group(text, limit, count)
    for piece in _split(text, 0, len(text), 0, limit, count):
        if group.add(piece):
            continue
        chunks.append(group.close())
        group = group.tail(overlap, limit - piece.tokens)
        if not group.add(piece):
            group = _Group(text, limit, count, [piece], piece.tokens)
    if group.pieces:
        chunks.append(group.close())
    return chunks
