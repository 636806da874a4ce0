"""Pairs of unit vectors whose cosine reaches a threshold: every pair compared up to
`EXACT_UP_TO` vectors; above, only the pairs that share a band of random-hyperplane signs
(SimHash LSH), whose planes come from a fixed seed so a set always gives the same pairs. Pure."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Matrix = npt.NDArray[np.float32]
Ints = npt.NDArray[np.int64]
Pairs = tuple[Ints, Ints, npt.NDArray[np.float32]]

EXACT_UP_TO = 8_192
BLOCK = 2_048  # rows of the similarity matrix at a time: 2,048 x 8,192 floats is 64 MB
# 24 bands of 16 signs: a pair at cosine 0.95 (after centring) shares a band with
# probability 0.99, at 0.9 0.88; unrelated ones (cosine 0) one in 2,700.
BANDS, BITS = 24, 16
SEED = 20261207
# Pairs kept per row: a cluster of near-copies links each to this many, enough for the ranked
# pass to find a kept one, without a pair for every two of them.
NEIGHBOURS = 64
VERIFY = 8_192  # candidate pairs compared at a time (their rows stay in cache)


def near_pairs(vectors: Matrix, threshold: float) -> Pairs:
    if len(vectors) <= EXACT_UP_TO:
        return _all_pairs(vectors, threshold)
    first, second = _candidates(vectors)
    return _verified(vectors, first, second, threshold)


def _all_pairs(vectors: Matrix, threshold: float) -> Pairs:
    """Pairs (first < second) at or above the threshold, each row with at most `NEIGHBOURS`
    of the rows before it: vectors come best ranked first, so a cluster of thousands of
    near-copies links each to its best ranked ones, not every two of them to each other."""
    found: list[Pairs] = []
    for start in range(0, len(vectors), BLOCK):
        sims = vectors[start : start + BLOCK] @ vectors[: start + BLOCK].T
        rows = np.arange(len(sims))
        hit = (sims >= threshold) & (np.arange(sims.shape[1])[None, :] < (rows + start)[:, None])
        hit &= np.cumsum(hit, axis=1) <= NEIGHBOURS
        r, c = np.nonzero(hit)
        found.append((c.astype(np.int64), (r + start).astype(np.int64), sims[r, c]))
    return _joined(found)


def _candidates(vectors: Matrix) -> tuple[Ints, Ints]:
    """Index pairs (first < second) that share at least one band; each pair once."""
    centred = vectors - vectors.mean(axis=0)  # the set's common direction would fill bands
    planes = np.random.default_rng(SEED).standard_normal((vectors.shape[1], BANDS * BITS))
    signs = (centred @ planes.astype(np.float32)) > 0
    # Each band's 16 signs as one 16-bit key.
    bands = np.packbits(signs.reshape(len(vectors), BANDS, BITS), axis=2, bitorder="little")
    keys = bands.view(np.uint16).reshape(len(vectors), BANDS).astype(np.int64)
    codes = [_same_key_pairs(keys[:, band], len(vectors)) for band in range(BANDS)]
    merged = np.sort(np.concatenate(codes))  # sorting beats np.unique's hashing 5x here
    merged = merged[np.concatenate(([True], merged[1:] != merged[:-1]))]
    n = np.int64(len(vectors))
    return merged // n, merged % n


def _same_key_pairs(keys: Ints, n: int) -> Ints:
    """Pairs of rows with equal keys, coded `first * n + second`: each row with the first
    `NEIGHBOURS` rows of its bucket (rows come best ranked first, and a stable sort keeps
    that order within a bucket)."""
    order = np.argsort(keys, kind="stable").astype(np.int64)
    ordered = keys[order]
    starts = np.concatenate(([True], ordered[1:] != ordered[:-1]))
    first_of = np.maximum.accumulate(np.where(starts, np.arange(len(order)), 0))
    positions = np.arange(len(order))
    found: list[Ints] = []
    for j in range(NEIGHBOURS):
        partner = first_of + j
        ok = partner < positions
        if not ok.any():
            break
        a, b = order[partner[ok]], order[positions[ok]]
        found.append(np.minimum(a, b) * n + np.maximum(a, b))
    return np.concatenate(found) if found else np.zeros(0, dtype=np.int64)


def _verified(vectors: Matrix, first: Ints, second: Ints, threshold: float) -> Pairs:
    found: list[Pairs] = []
    for start in range(0, len(first), VERIFY):
        a, b = first[start : start + VERIFY], second[start : start + VERIFY]
        sims = np.einsum("ij,ij->i", vectors[a], vectors[b])
        keep = sims >= threshold
        found.append((a[keep], b[keep], sims[keep]))
    return _joined(found)


def _joined(parts: list[Pairs]) -> Pairs:
    if not parts:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0, dtype=np.float32)
    return (
        np.concatenate([p[0] for p in parts]),
        np.concatenate([p[1] for p in parts]),
        np.concatenate([p[2] for p in parts]).astype(np.float32),
    )
