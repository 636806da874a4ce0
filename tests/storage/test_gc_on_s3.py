"""`datafactory gc` frees a finished job's raw pages and text in S3, and nothing else."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from services.cli.gc import Freed, collect
from shared.settings import Settings
from shared.storage.blobs import Storage
from tests.storage.s3 import on_s3


def test_gc_deletes_a_finished_jobs_work_objects_in_s3(tmp_path: Path, s3_endpoint: str) -> None:
    settings = on_s3(Settings(data_dir=tmp_path), s3_endpoint)
    storage = Storage.from_settings(settings)
    for job in ("job_done", "job_running"):
        for folder in ("raw", "text", "staging", "exports"):
            storage.put(f"{folder}/{job}/a", b"x" * 1000)
    with sqlite3.connect(tmp_path / "datafactory.db") as conn:
        conn.execute("CREATE TABLE jobs (id TEXT PRIMARY KEY, completed_at TEXT)")
        conn.execute("INSERT INTO jobs VALUES ('job_done', '2026-01-01'), ('job_running', NULL)")
    assert collect(settings, dry_run=True) == collect(settings) == Freed(1, 2, 2000)
    assert storage.folders("raw") == storage.folders("text") == ["job_running"]
    assert storage.folders("staging") == storage.folders("exports") == ["job_done", "job_running"]
