"""Embeddings on events: float16, base64, so a vector of 512 dimensions costs 1.4 KB."""

from __future__ import annotations

import base64

import numpy as np
import numpy.typing as npt

Vector = npt.NDArray[np.float32]


def pack(vector: Vector) -> str:
    return base64.b64encode(vector.astype("<f2").tobytes()).decode()


def unpack(text: str) -> npt.NDArray[np.float16]:
    """As stored: float16, so that many are stacked before one conversion."""
    return np.frombuffer(base64.b64decode(text), dtype="<f2")
