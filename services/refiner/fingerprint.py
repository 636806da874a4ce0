"""Chunk fingerprints for dedup: a normalised exact key, MinHash on word n-grams, LSH bands."""

from __future__ import annotations

import functools
import hashlib
import re
import zlib

import numpy as np
from datasketch import MinHash

NUM_PERM = 128
SCHEME = "affine32"  # uint32 values: 512 bytes a signature in the shared index
WIDTH = 4
_WORD = re.compile(r"\w+")


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def exact_key(tokens: list[str]) -> str:
    """Case, punctuation and spacing do not make a chunk new."""
    return hashlib.blake2b(" ".join(tokens).encode(), digest_size=16).hexdigest()


def shingles(tokens: list[str], n: int) -> list[bytes]:
    """Word n-grams; a text shorter than n words is one shingle of all its words."""
    if len(tokens) <= n:
        return [" ".join(tokens).encode()]
    return [" ".join(tokens[i : i + n]).encode() for i in range(len(tokens) - n + 1)]


@functools.cache
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    # Drawing the permutations costs more than hashing a chunk: once per process, fixed seed.
    return MinHash(num_perm=NUM_PERM, seed=1, scheme=SCHEME).permutations  # type: ignore[no-any-return]


def signature(tokens: list[str], n: int) -> bytes:
    # CRC32 hashes a shingle 2.5x faster than datasketch's SHA1 default and is as stable
    # across processes; the affine32 scheme mixes its output before permuting.
    sketch = MinHash(
        num_perm=NUM_PERM, permutations=_permutations(), scheme=SCHEME, hashfunc=zlib.crc32
    )
    sketch.update_batch(shingles(tokens, n))
    return bytes(sketch.hashvalues.astype("<u4").tobytes())


def similarity(a: bytes, b: bytes) -> float:
    """Estimated Jaccard similarity: the share of equal MinHash values."""
    left, right = np.frombuffer(a, dtype="<u4"), np.frombuffer(b, dtype="<u4")
    return float(np.mean(left == right))


@functools.cache
def lsh_shape(threshold: float, num_perm: int = NUM_PERM) -> tuple[int, int]:
    """(bands, rows) minimising false positives plus false negatives around `threshold`,
    as datasketch's MinHashLSH chooses them (which refuses thresholds near 1)."""
    s = np.linspace(0.0, 1.0, 2001)
    below, best = s <= threshold, (1, num_perm, np.inf)
    for b in range(1, num_perm + 1):
        for r in range(1, num_perm // b + 1):
            hit = 1.0 - (1.0 - s**r) ** b
            error = np.trapezoid(np.where(below, hit, 0.0), s) + np.trapezoid(
                np.where(below, 0.0, 1.0 - hit), s
            )
            if error < best[2]:
                best = (b, r, float(error))
    return best[0], best[1]


def bands(sig: bytes, shape: tuple[int, int]) -> list[str]:
    """One short key per band: chunks sharing any band are near-duplicate candidates."""
    count, rows = shape
    step = rows * WIDTH
    return [
        hashlib.blake2b(sig[i * step : (i + 1) * step], digest_size=8).hexdigest()
        for i in range(count)
    ]
