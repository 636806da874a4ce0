"""`datafactory gc`: frees the disk a finished job no longer needs (raw HTML, extracted text);
its staged examples (what re-exports are written from), exports, the log and the read models
stay."""

from __future__ import annotations

import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

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


def _size(folder: Path) -> tuple[int, int]:
    files = [p for p in folder.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def collect(data_dir: Path, dry_run: bool = False) -> Freed:
    done = finished_jobs(data_dir / "datafactory.db")
    jobs, files, size = set(), 0, 0
    for name in WORK_FOLDERS:
        for folder in sorted((data_dir / name).glob("*/")):
            if folder.name not in done:
                continue
            count, taken = _size(folder)
            jobs.add(folder.name)
            files, size = files + count, size + taken
            if not dry_run:
                shutil.rmtree(folder)
    return Freed(len(jobs), files, size)
