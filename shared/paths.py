"""File paths taken from events, held to the data directory whatever an event says."""

from __future__ import annotations

from pathlib import Path


class OutsideDataDir(ValueError):
    """A path that leaves the data directory (absolute elsewhere, `..`, or a symlink out)."""


def confined(data_dir: Path, path: str | Path, *under: str) -> Path:
    """`path` resolved, if it lies within `data_dir` (and within its `under` folders)."""
    root = data_dir.resolve().joinpath(*under)
    resolved = Path(path).resolve()
    if not resolved.is_relative_to(root):
        raise OutsideDataDir(f"{path} is outside {root}")
    return resolved
