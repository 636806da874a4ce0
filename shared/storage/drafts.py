"""A group of objects (an export's files) written as local files in a draft folder, then
published whole: one rename on a file store (the draft lies in its folder), else one PUT per
file with the last file named by the caller last, so that readers who look for that file
never see half a group."""

from __future__ import annotations

import os
import secrets
import shutil
from pathlib import Path, PurePosixPath

import obstore

from shared.storage.blobs import Storage
from shared.storage.keys import checked


def draft(storage: Storage, prefix: str) -> Path:
    """A new local folder to write the group in, then `publish` as `prefix`."""
    base = storage.root if storage.root else storage.scratch / "drafts"
    final = base / checked(prefix)
    folder = final.with_name(f".{final.name}.{secrets.token_hex(4)}.tmp")
    folder.mkdir(parents=True)
    return folder


def publish(storage: Storage, folder: Path, prefix: str, last: str) -> None:
    """Makes the draft's files the objects under `prefix/`, `last` after every other; on a
    file store OSError if `prefix` exists (another writer's group came first)."""
    if storage.root:
        _fsync(folder)
        folder.rename(storage.root / checked(prefix))
        _fsync(folder.parent)
    else:
        names = [*sorted(p.name for p in folder.iterdir() if p.name != last), last]
        for name in names:
            obstore.put(storage.store, checked(f"{prefix}/{name}"), folder / name)
        shutil.rmtree(folder)
    for stale in folder.parent.glob(f".{PurePosixPath(prefix).name}.*.tmp"):
        shutil.rmtree(stale, ignore_errors=True)  # left by killed writers


def _fsync(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
