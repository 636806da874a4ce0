"""Duplicates: exact (normalised hashes of each side) and near (cosine similarity of
embeddings) against the job's accepted examples and the earlier examples of the batch."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from services.inspector.checks.base import LABEL_TEMPLATES, SOURCE_INPUT_TEMPLATES, Finding, Item
from services.inspector.checks.text import fingerprint

Vectors = npt.NDArray[np.float32]  # one L2-normalised row per text


def fingerprints(item: Item) -> list[str]:
    """The same answer twice, or the same question twice, is a duplicate; a summary's input
    is its chunk, which several summaries share by design."""
    ex = item.example
    found = [] if ex.template in LABEL_TEMPLATES else [fingerprint("out", ex.output)]
    if ex.template not in SOURCE_INPUT_TEMPLATES:
        found.append(fingerprint("in", ex.input))
    return found


@dataclass(frozen=True)
class Near:
    owner: str
    similarity: float


def near_owners(
    ids: list[str], vectors: Vectors, accepted_ids: list[str], accepted: Vectors, threshold: float
) -> list[Near | None]:
    """For each candidate, the most similar accepted example or earlier candidate at or
    above `threshold`, if any."""
    among = vectors @ vectors.T
    if len(accepted_ids):
        old = vectors @ accepted.T
        best_old = np.argmax(old, axis=1)
    found: list[Near | None] = []
    for i in range(len(ids)):
        best: Near | None = None
        if len(accepted_ids):
            j = int(best_old[i])
            best = Near(accepted_ids[j], float(old[i, j]))
        if i:  # the earlier candidates of the batch
            j = int(np.argmax(among[i, :i]))
            if best is None or among[i, j] > best.similarity:
                best = Near(ids[j], float(among[i, j]))
        found.append(best if best and best.similarity >= threshold else None)
    return found


def duplicate(decision: str, backend: str) -> Finding:
    """The finding for the index's decision: "kept", "duplicate <id>" or
    "near_duplicate <id> <cosine>"."""
    kind, _, rest = decision.partition(" ")
    if kind == "kept":
        return Finding(1.0, backend=backend)
    owner, _, cosine = rest.partition(" ")
    reason = f"{kind}_of:{owner}" + (f"(cos={cosine})" if cosine else "")
    return Finding(0.0, reason, failed=True, backend=backend)
