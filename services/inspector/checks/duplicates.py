"""What the export's duplicate removal compares: normalised hashes of each side (exact
copies) and an embedding (near ones). The decision itself is the shipper's, over the set of
the job's passed examples, so it never depends on which example was scored first."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from services.inspector.checks.base import LABEL_TEMPLATES, SOURCE_INPUT_TEMPLATES, Item
from services.inspector.checks.text import fingerprint

Vectors = npt.NDArray[np.float32]  # one L2-normalised row per text


@dataclass(frozen=True)
class Described:
    fingerprints: list[str] = field(default_factory=list)
    vector: str | None = None  # packed by shared/vectors.py
    backend: str | None = None


def fingerprints(item: Item) -> list[str]:
    """The same answer twice, or the same question twice, is a duplicate; a summary's input
    is its chunk, which several summaries share by design."""
    ex = item.example
    found = [] if ex.template in LABEL_TEMPLATES else [fingerprint("out", ex.output)]
    if ex.template not in SOURCE_INPUT_TEMPLATES:
        found.append(fingerprint("in", ex.input))
    return found
