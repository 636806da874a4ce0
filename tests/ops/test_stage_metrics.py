"""Stage replicas push their counters through Redis; heartbeat files feed exec probes."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Awaitable
from pathlib import Path

from faststream import FastStream
from redis.asyncio import Redis

from shared.contract.config import JobConfig
from shared.contract.events import ExampleGenerated
from shared.contract.ids import derive
from shared.ops import snapshot
from shared.ops.metrics import ALIVE, READY, StageMetrics
from shared.ops.snapshot import StageFigures
from shared.runtime.commit import Emit
from shared.runtime.redis_server import RedisProcess
from shared.runtime.runtime import build_app
from shared.runtime.stage import StageSpec
from shared.settings import Settings
from tests.helpers import configure, publish, running, wait_for
from tests.runtime.test_stream_runtime import example

ROOT = Path(__file__).resolve().parents[2]


def inspector_like(settings: Settings) -> FastStream:
    """A stage on the inspector's stream that forwards examples and raises on 'boom'."""

    async def handle(ex: ExampleGenerated, config: JobConfig) -> list[Emit]:
        await asyncio.sleep(0.03)
        if ex.output == "boom":
            raise RuntimeError("boom")
        return [Emit("test:out", ex.model_copy(update={"event_id": derive(ex.event_id, "o")}))]

    spec = StageSpec("inspector", {ExampleGenerated: handle}, concurrency=4)
    return build_app(spec, settings, Redis.from_url(settings.redis_dsn))


def figures(snap: snapshot.Snapshot, stage: str) -> StageFigures:
    return next(s for s in snap.stages if s.stage == stage)


async def test_replicas_add_their_counts_into_one_figure_per_stage(redis: Redis) -> None:
    first, second = StageMetrics(redis, "refiner", "r1"), StageMetrics(redis, "refiner", "r2")
    first.observe(0.003, items=1)
    first.observe(0.2, items=1, errors=1)
    second.observe(40.0, items=10)
    await first.flush()
    await second.flush()
    refiner = figures(await snapshot.take(redis), "refiner")
    assert (refiner.items, refiner.errors, refiner.calls, refiner.replicas) == (12, 1, 3, 2)
    assert refiner.seconds == 40.203
    cumulative = dict(refiner.buckets)
    assert (cumulative[0.005], cumulative[0.25], cumulative[30.0], cumulative[60.0]) == (1, 2, 2, 3)
    assert cumulative[float("inf")] == 3
    assert refiner.quantile(0.5) == 0.25
    await second.stop()
    assert figures(await snapshot.take(redis), "refiner").replicas == 1


async def test_a_running_stage_reports_its_items_errors_and_heartbeats(
    ops_settings: Settings, redis: Redis
) -> None:
    health = ops_settings.heartbeat_dir
    assert health is not None
    await configure(redis, "job1")
    await publish(redis, "df:inspector", *(example(i) for i in range(5)), example(9, text="boom"))
    async with running(inspector_like(ops_settings)):
        seen = await wait_for(
            lambda: snapshot.take(redis),
            lambda s: figures(s, "inspector").items >= 6 and figures(s, "inspector").replicas == 1,
        )
        assert probe(health / ALIVE) == 0 and probe(health / READY) == 0
    inspector = figures(seen, "inspector")
    assert inspector.errors >= 1 and inspector.calls >= 6
    assert inspector.seconds >= 6 * 0.03
    assert not (health / READY).exists(), "a stopped replica is no longer ready"


def probe(path: Path, max_age_s: float = 60) -> int:
    command = [sys.executable, "-m", "shared.runtime.probe", str(path), str(max_age_s)]
    return subprocess.run(command, cwd=ROOT, capture_output=True, timeout=30).returncode


def test_the_probe_fails_on_a_missing_or_stale_heartbeat(tmp_path: Path) -> None:
    beat = tmp_path / "alive"
    assert probe(beat) == 1
    beat.touch()
    assert probe(beat) == 0
    old = time.time() - 120
    os.utime(beat, (old, old))
    assert probe(beat, 60) == 1


async def test_a_replica_that_lost_redis_stays_alive_but_is_no_longer_ready(
    tmp_path: Path,
) -> None:
    """Restarting a replica cannot bring Redis back: liveness holds, readiness lapses."""
    server = RedisProcess(tmp_path / "redis", appendonly=False).start()
    redis = Redis.from_url(server.url)
    health = tmp_path / "health"
    replica = StageMetrics(redis, "refiner", "r1", every_s=0.05, heartbeat_dir=health)
    replica.start()
    try:
        await wait_for(lambda: asyncio.sleep(0, (health / READY).exists()), bool)
        server.stop()
        stopped = time.time()

        def touched(name: str) -> Awaitable[float]:
            return asyncio.sleep(0, (health / name).stat().st_mtime)

        # The loop touches ALIVE before each flush: once it has after the stop, the flush that
        # was under way has ended, and READY is as fresh as it will ever be.
        await wait_for(lambda: touched(ALIVE), lambda t: t > stopped)
        ready = await touched(READY)
        alive = await wait_for(lambda: touched(ALIVE), lambda t: t > ready + 0.5)
        assert await touched(READY) == ready < alive
    finally:
        await replica.stop()
        await redis.aclose()
