"""A shipper SIGKILLed in the middle of writing an export: nothing partial is visible, and the
replica that takes over writes the export once, byte for byte as an undisturbed one."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from redis.asyncio import Redis

from services.cli.stack import settings_env
from services.shipper import columns, staging
from services.shipper.app import create_app
from services.shipper.export import export
from services.shipper.facts import JobFacts
from services.shipper.manifest import ExportSpec, Manifest
from shared.contract import streams
from shared.contract.config import ExportConfig, JobConfig
from shared.contract.events import ExportWritten, JobCompleted, export_id
from shared.settings import Settings
from shared.storage.blobs import Storage
from tests.helpers import configure, publish, read_all, running, wait_for
from tests.shipper.samples import examples

JOB = "job_big"
CONFIG = JobConfig(export=ExportConfig(format="csv", splits={"train": 0.9, "test": 0.1}))


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url)
    yield client
    await client.aclose()


def stage_many(data_dir: Path, n: int, batch: int = 500) -> None:
    """What a shipper would have staged for a job of `n` examples."""
    items = examples(n, job=JOB)
    for start in range(0, n, batch):
        staging.append(data_dir, JOB, f"{start}-0", items[start : start + batch], 0.7)


def start_shipper(settings: Settings) -> subprocess.Popen[bytes]:
    env = os.environ | settings_env(settings)
    cmd = [sys.executable, "-m", "services.shipper"]
    return subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def kill_while_writing(proc: subprocess.Popen[bytes], exports: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if exports.is_dir() and any(p.name.startswith(".") for p in exports.iterdir()):
            proc.kill()
            proc.wait()
            return
        assert proc.poll() is None, "the shipper exited"
        time.sleep(0.001)
    proc.kill()
    raise AssertionError("the shipper never started writing the export")


async def test_a_shipper_killed_mid_export_leaves_nothing_partial_and_the_export_lands_once(
    settings: Settings, redis: Redis, tmp_path: Path
) -> None:
    stage_many(settings.data_dir, 20_000)
    await configure(redis, JOB, config=CONFIG)
    done = JobCompleted(event_id="done_big", job_id=JOB)
    await publish(redis, streams.SHIPPER, done)
    exports = settings.data_dir / "exports" / JOB

    kill_while_writing(start_shipper(settings), exports)
    assert [p.name for p in exports.iterdir() if not p.name.startswith(".")] == []
    assert not [e for e in await read_all(redis, streams.EVENTS) if e.type == "ExportWritten"]

    async def written() -> list[ExportWritten]:
        return [e for e in await read_all(redis, streams.EVENTS) if isinstance(e, ExportWritten)]

    async with running(create_app(settings)):  # reclaims the dead replica's entry
        (landed,) = await wait_for(written, bool, timeout=30)
    landed_at = (settings.data_dir / landed.key).parent
    assert [p.name for p in exports.iterdir()] == [landed_at.name]
    spec = ExportSpec(JOB, export_id(done), done.at, CONFIG)
    chunks = columns.read(settings.data_dir, JOB)
    elsewhere = Storage.from_settings(Settings(data_dir=tmp_path / "undisturbed"))
    _, undisturbed = export(elsewhere, spec, chunks, JobFacts())
    assert Manifest.load(landed_at).files == undisturbed.files
    assert landed.record_count == 15_000 and sum(landed.splits.values()) == 15_000
