"""`datafactory gc` deletes the work files of finished jobs only."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_gc_frees_finished_jobs_work_files_and_keeps_the_rest(tmp_path: Path) -> None:
    data = tmp_path / "data"
    for job in ("job_done", "job_running"):
        for folder in ("raw", "text", "staging"):
            (data / folder / job).mkdir(parents=True)
            (data / folder / job / "a.html").write_text("x" * 1000)
    (data / "exports" / "job_done").mkdir(parents=True)
    (data / "exports" / "job_done" / "dataset.jsonl").write_text("{}\n")
    with sqlite3.connect(data / "datafactory.db") as conn:
        conn.execute("CREATE TABLE jobs (id TEXT PRIMARY KEY, completed_at TEXT)")
        conn.execute("INSERT INTO jobs VALUES ('job_done', '2026-01-01'), ('job_running', NULL)")
    env = {**os.environ, "DATAFACTORY_DATA_DIR": str(data)}

    def gc(*flags: str) -> str:
        command = [sys.executable, "-m", "services.cli", "gc", *flags]
        done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
        return done.stdout + done.stderr

    assert "would free" in gc("--dry-run") and (data / "raw" / "job_done").exists()
    assert "2 files of 1 jobs" in gc()
    assert not any((data / f / "job_done").exists() for f in ("raw", "text"))
    assert (data / "staging" / "job_done").exists(), "re-exports are written from staging"
    assert all((data / f / "job_running").exists() for f in ("raw", "text", "staging"))
    assert (data / "exports" / "job_done" / "dataset.jsonl").exists()
