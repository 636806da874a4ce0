"""Batched reads and commits against a real redis-server: per-item outcomes, poison items,
malformed entries, replicas killed mid-batch, events from newer producers."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from redis.asyncio import Redis

from shared.contract import streams, wire
from shared.contract.events import ItemFailed
from shared.contract.ids import derive
from shared.runtime.runtime import ensure_group
from shared.settings import Settings
from tests.helpers import by_type, configure, publish, read_all, running, wait_for
from tests.runtime.batch_stage import DONE, WORK, batch_app
from tests.runtime.test_stream_runtime import example

# Replicas killed mid-batch: the survivors get up to 60 s to settle.
pytestmark = pytest.mark.timeout(120)

ROOT = Path(__file__).resolve().parents[2]


async def start_job(redis: Redis, job: str, items: int) -> None:
    await configure(redis, job)
    await redis.hset(streams.tally_key(job), "outstanding", items)
    await ensure_group(redis, WORK, "worker")


async def completions(redis: Redis) -> list[str]:
    return [e.job_id for e in await read_all(redis, streams.SHIPPER)]


async def test_a_poison_item_is_dead_lettered_alone_and_its_batch_mates_commit_once(
    settings: Settings,
) -> None:
    redis = Redis.from_url(settings.redis_dsn)
    await start_job(redis, "job1", 10)
    batch = [example(i, text="poison" if i == 4 else "An answer.") for i in range(10)]
    await publish(redis, WORK, *batch)
    async with running(batch_app(settings)):
        await wait_for(lambda: completions(redis), lambda c: c == ["job1"], timeout=30)
    done = [e.event_id for e in await read_all(redis, DONE)]
    assert sorted(done) == sorted(derive(f"ex{i}", "done") for i in range(10) if i != 4)
    [failed] = by_type(await read_all(redis, streams.EVENTS), "ItemFailed")
    assert (failed.item_id, failed.reason) == ("ex4", "dead_letter")
    assert "poison example" in failed.detail
    assert await redis.xlen(streams.dead_letter(WORK)) == 1
    assert (await redis.xpending(WORK, "worker"))["pending"] == 0


async def test_a_batch_that_fails_whole_is_retried_item_by_item(settings: Settings) -> None:
    redis = Redis.from_url(settings.redis_dsn)
    await start_job(redis, "job1", 10)
    batch = [example(i, text="explode" if i == 7 else "An answer.") for i in range(10)]
    await publish(redis, WORK, *batch)
    async with running(batch_app(settings)):
        await wait_for(lambda: completions(redis), lambda c: c == ["job1"], timeout=30)
    done = Counter(e.event_id for e in await read_all(redis, DONE))
    assert sorted(done) == sorted(derive(f"ex{i}", "done") for i in range(10) if i != 7)
    assert max(done.values()) == 1
    [failed] = by_type(await read_all(redis, streams.EVENTS), "ItemFailed")
    assert (failed.item_id, failed.reason) == ("ex7", "dead_letter")


async def test_a_malformed_entry_is_dead_lettered_and_its_job_still_completes(
    settings: Settings,
) -> None:
    redis = Redis.from_url(settings.redis_dsn)
    await start_job(redis, "job1", 3)
    await publish(redis, WORK, example(1))
    broken = json.loads(example(2).model_dump_json())
    del broken["output"]
    await redis.xadd(WORK, {wire.DATA_FIELD: json.dumps({"data": json.dumps(broken)})})
    await publish(redis, WORK, example(3))
    async with running(batch_app(settings)):
        await wait_for(lambda: completions(redis), lambda c: c == ["job1"], timeout=30)
    [failed] = by_type(await read_all(redis, streams.EVENTS), "ItemFailed")
    assert isinstance(failed, ItemFailed)
    assert (failed.item_id, failed.reason, failed.job_id) == ("ex2", "dead_letter", "job1")
    assert "output" in failed.detail
    assert await redis.xlen(DONE) == 2


async def test_an_event_with_a_field_from_a_newer_producer_is_processed(
    settings: Settings,
) -> None:
    redis = Redis.from_url(settings.redis_dsn)
    await start_job(redis, "job1", 1)
    newer = json.loads(example(1).model_dump_json()) | {"added_in_a_later_release": 1}
    await redis.xadd(WORK, {wire.DATA_FIELD: json.dumps({"data": json.dumps(newer)})})
    async with running(batch_app(settings)):
        await wait_for(lambda: completions(redis), lambda c: c == ["job1"], timeout=30)
    assert [e.event_id for e in await read_all(redis, DONE)] == [derive("ex1", "done")]
    assert await redis.xlen(streams.dead_letter(WORK)) == 0


def _replica(settings: Settings, name: str) -> subprocess.Popen[bytes]:
    args = [settings.redis_dsn, name, str(settings.claim_idle_ms)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "tests.runtime.batch_stage", *args], env=env)


async def test_a_replica_killed_mid_batch_loses_and_doubles_nothing(settings: Settings) -> None:
    redis = Redis.from_url(settings.redis_dsn)
    await start_job(redis, "job1", 300)
    await publish(redis, WORK, *(example(i) for i in range(300)))
    doomed = _replica(settings, "doomed")
    try:
        await wait_for(lambda: redis.xlen(DONE), lambda n: n >= 30, timeout=60)
        held = await wait_for(
            lambda: redis.xpending(WORK, "worker"), lambda p: p["pending"] > 0, timeout=30
        )
        os.kill(doomed.pid, signal.SIGKILL)
    finally:
        doomed.kill()
        doomed.wait()
    assert held["pending"] > 0, "the kill must land while the replica holds entries"
    async with running(batch_app(settings, "survivor")):
        await wait_for(lambda: completions(redis), lambda c: c == ["job1"], timeout=60)
    done = Counter(e.event_id for e in await read_all(redis, DONE))
    assert len(done) == 300 and max(done.values()) == 1
    assert await redis.hget(streams.tally_key("job1"), "outstanding") == b"0"
