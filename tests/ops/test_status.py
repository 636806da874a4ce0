"""`datafactory status` prints the figures of /metrics for the embedded stack's Redis."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from redis.asyncio import Redis

from shared.contract import streams
from shared.ops import totals
from shared.ops.metrics import StageMetrics
from shared.settings import Settings
from tests.helpers import text

# The CLI in a subprocess, with a 60 s limit.
pytestmark = pytest.mark.timeout(120)

ROOT = Path(__file__).resolve().parents[2]


async def seed(url: str) -> str:
    """A refiner queue with 3 entries, one read; refiner counters; one model's spend."""
    redis = Redis.from_url(url)
    await redis.xgroup_create(streams.REFINER, "refiner", id="0", mkstream=True)
    ids = [await redis.xadd(streams.REFINER, {"n": i}) for i in range(3)]
    await redis.xreadgroup("refiner", "c1", {streams.REFINER: ">"}, count=1)
    replica = StageMetrics(redis, "refiner", "r1")
    replica.observe(0.2, items=7)
    await replica.flush()
    async with redis.pipeline(transaction=True) as pipe:
        totals.add(pipe, "job", "gpt-4o-mini", calls=2, prompt_tokens=1500, spent_usd=0.25)
        await pipe.execute()
    await redis.aclose()
    return text(ids[0])


def cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.split("│")[1:-1]]


def status(settings: Settings, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATAFACTORY_")}
    env["DATAFACTORY_DATA_DIR"] = str(settings.data_dir)
    if settings.redis_url:
        env["DATAFACTORY_REDIS_URL"] = settings.redis_url
    command = [sys.executable, "-m", "services.cli", "status", "--interval", "0.2", *extra]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


def test_status_prints_queues_stages_llm_spend_and_projector_lag(settings: Settings) -> None:
    position = asyncio.run(seed(settings.redis_dsn))
    settings.data_dir.mkdir(parents=True)
    with sqlite3.connect(settings.data_dir / "datafactory.db") as db:
        db.execute("CREATE TABLE checkpoints (stream TEXT PRIMARY KEY, last_id TEXT)")
        db.execute("INSERT INTO checkpoints VALUES (?, ?)", (streams.REFINER, position))
    done = status(settings)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    refiner_queue = next(line for line in lines if "df:refiner" in line and "refiner " in line)
    assert cells(refiner_queue)[2:5] == ["3", "2", "1"]  # length, lag, pending
    stage = next(line for line in lines if line.startswith("│ refiner"))
    assert cells(stage)[1:3] == ["1", "7"]  # replicas, items
    model = next(line for line in lines if "gpt-4o-mini" in line)
    assert "1,500" in model and "$0.2500" in model
    projector = lines[next(i for i, line in enumerate(lines) if "Projector" in line) :]
    behind = next(cells(line) for line in projector if "df:refiner" in line)
    assert behind[1] == "2" and behind[2].endswith("s")


def test_status_without_a_stack_says_how_to_start_one(tmp_path: Path) -> None:
    done = status(Settings(data_dir=tmp_path, redis_url=None))
    assert done.returncode == 3, "exit code 3: nothing to reach"
    assert "datafactory up" in done.stderr and done.stdout == ""
