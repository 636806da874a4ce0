"""`datafactory gc`: frees the storage a finished job no longer needs (raw HTML, extracted
text, in blob storage); its staged examples (what re-exports are written from), exports, the
log and the read models stay."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from shared.settings import Settings
from shared.storage.blobs import Storage

WORK_FOLDERS = ("raw", "text")


@dataclass(frozen=True)
class Freed:
    jobs: int
    files: int
    bytes: int


def finished_jobs(database: Path) -> set[str]:
    """Jobs the read model shows completed (cancelled jobs complete too), read-only."""
    if not database.exists():
        return set()
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as conn:
        rows = conn.execute("SELECT id FROM jobs WHERE completed_at IS NOT NULL").fetchall()
    return {row[0] for row in rows}


def collect(settings: Settings, dry_run: bool = False) -> Freed:
    done = finished_jobs(settings.data_dir.resolve() / "datafactory.db")
    storage = Storage.from_settings(settings)
    jobs, files, size = set(), 0, 0
    for name in WORK_FOLDERS:
        for job in storage.folders(name):
            if job not in done:
                continue
            found = storage.sizes(f"{name}/{job}")
            jobs.add(job)
            files, size = files + len(found), size + sum(found.values())
            if not dry_run:
                storage.delete(list(found))
    return Freed(len(jobs), files, size)
