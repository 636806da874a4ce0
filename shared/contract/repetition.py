"""Repetition in a text: Gopher's duplicate line, sentence and paragraph fractions, its top
and duplicate n-gram character fractions, and a zlib compression ratio. Pure."""

from __future__ import annotations

import zlib
from collections import Counter
from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    max_duplicate_parts: float = 0.3  # lines, sentences or paragraphs seen before, by count
    max_duplicate_part_chars: float = 0.2
    top_ngrams: tuple[tuple[int, float], ...] = ((2, 0.2), (3, 0.18), (4, 0.16))
    # Words: in one sentence "the bridge" twice is a third of its letters, and no filler.
    top_ngrams_from: int = 50
    duplicate_ngrams: tuple[tuple[int, float], ...] = (
        (5, 0.15), (6, 0.14), (7, 0.13), (8, 0.12), (9, 0.11), (10, 0.10)
    )  # fmt: skip
    # zlib size over size: prose stays above 0.4, a phrase said over and over falls to 0.1.
    min_compression: float = 0.3
    compression_from: int = 300  # bytes: below, zlib's header outweighs the text


def repeated(
    text: str, parts: dict[str, list[str]], words: list[str], limits: Limits
) -> str | None:
    """The first repetition rule `text` breaks, named with its figure, or None. `parts` are
    its lines, sentences and paragraphs; `words` its folded words."""
    for name, found in parts.items():
        if len(found) < 2:
            continue
        count, chars = _duplicates(found)
        if count / len(found) > limits.max_duplicate_parts:
            return f"duplicate_{name}({count}/{len(found)})"
        if chars / len(text) > limits.max_duplicate_part_chars:
            return f"duplicate_{name}_chars({chars / len(text):.2f})"
    size = max(1, sum(len(w) for w in words))
    if len(words) >= limits.top_ngrams_from:
        for n, share in limits.top_ngrams:
            top = _top_chars(words, n) / size
            if top > share:
                return f"top_{n}_gram({top:.2f})"
    for n, share in sorted(limits.duplicate_ngrams):
        again = _repeated_chars(words, n) / size
        if again > share:
            return f"duplicate_{n}_grams({again:.2f})"
        if not again:  # no n-gram seen twice: no longer one either
            break
    raw = text.encode()
    if len(raw) >= limits.compression_from:
        ratio = len(zlib.compress(raw, 6)) / len(raw)
        if ratio < limits.min_compression:
            return f"compressible({ratio:.2f})"
    return None


def _duplicates(parts: list[str]) -> tuple[int, int]:
    seen: set[str] = set()
    count = chars = 0
    for part in parts:
        key = part.casefold()
        if key in seen:
            count, chars = count + 1, chars + len(part)
        seen.add(key)
    return count, chars


def _top_chars(words: list[str], n: int) -> int:
    """Characters the most frequent n-gram covers, when it occurs more than once."""
    grams = Counter(zip(*(words[i:] for i in range(n)), strict=False))
    if not grams:
        return 0
    gram, times = grams.most_common(1)[0]
    return sum(len(w) for w in gram) * times if times > 1 else 0


def _repeated_chars(words: list[str], n: int) -> int:
    """Characters of the words inside an n-gram seen before, each word counted once."""
    seen: set[tuple[str, ...]] = set()
    covered = [False] * len(words)
    for i in range(len(words) - n + 1):
        gram = tuple(words[i : i + n])
        if gram in seen:
            covered[i : i + n] = [True] * n
        seen.add(gram)
    return sum(len(w) for w, hit in zip(words, covered, strict=True) if hit)
