"""Deterministic ids: an output's id is a pure function of its input's id."""

from __future__ import annotations

import hashlib
import uuid


def derive(parent_id: str, kind: str, index: int | str = 0) -> str:
    """Same parent, kind and index give the same id, so reprocessing yields the same ids."""
    digest = hashlib.blake2b(f"{parent_id}|{kind}|{index}".encode(), digest_size=10).hexdigest()
    return f"{kind}_{digest}"


def new_id(kind: str) -> str:
    return f"{kind}_{uuid.uuid4().hex[:20]}"
