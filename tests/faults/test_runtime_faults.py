"""The runtime when things fail around the work: Redis refusing writes, handlers that hang."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter

import pytest
from pydantic import SecretStr
from redis.asyncio import Redis

from shared.contract import streams
from shared.contract.config import JobConfig
from shared.contract.events import ExampleGenerated
from shared.contract.ids import derive
from shared.runtime.commit import Emit
from shared.runtime.runtime import build_app
from shared.runtime.stage import StageSpec
from shared.settings import Settings
from tests.helpers import by_type, configure, publish, read_all, read_raw, running, wait_for
from tests.runtime.test_stream_runtime import example

WORK, DONE = "test:work", "test:done"


async def start_job(redis: Redis, items: int) -> None:
    await configure(redis, "job1")
    await redis.hset(streams.tally_key("job1"), "outstanding", items)


def forward(ex: ExampleGenerated) -> list[Emit]:
    return [Emit(DONE, ex.model_copy(update={"event_id": derive(ex.event_id, "done")}))]


async def test_a_commit_that_fails_is_retried_and_settles_once(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    redis = Redis.from_url(settings.redis_dsn)
    await start_job(redis, 5)
    gate = asyncio.Event()

    async def handle(ex: ExampleGenerated, config: JobConfig) -> list[Emit]:
        await gate.wait()
        return forward(ex)

    spec = StageSpec("worker", {ExampleGenerated: handle}, concurrency=5, input_stream=WORK)
    await publish(redis, WORK, *(example(i) for i in range(5)))
    async with running(build_app(spec, settings, Redis.from_url(settings.redis_dsn))):
        await wait_for(lambda: redis.xpending(WORK, "worker"), lambda p: p["pending"] == 5)
        # Writes now fail with NOREPLICAS, as they would while Redis is unavailable.
        await redis.config_set("min-replicas-to-write", 1)
        gate.set()
        with caplog.at_level(logging.WARNING, "datafactory.commit"):
            await wait_for(lambda: _logged(caplog, "failed"), bool, timeout=15)
        await redis.config_set("min-replicas-to-write", 0)
        await wait_for(lambda: read_all(redis, streams.SHIPPER), lambda c: len(c) == 1)
    done = Counter(e.event_id for e in await read_all(redis, DONE))
    assert len(done) == 5 and max(done.values()) == 1


async def _logged(caplog: pytest.LogCaptureFixture, text: str) -> bool:
    return any(text in r.getMessage() for r in caplog.records if r.name == "datafactory.commit")


async def test_a_handler_that_hangs_times_out_and_its_job_still_completes(
    settings: Settings,
) -> None:
    redis = Redis.from_url(settings.redis_dsn)
    await start_job(redis, 3)

    async def handle(ex: ExampleGenerated, config: JobConfig) -> list[Emit]:
        if ex.output == "hang":
            await asyncio.Event().wait()
        return forward(ex)

    spec = StageSpec(
        "worker", {ExampleGenerated: handle}, concurrency=3, input_stream=WORK, time_limit_s=0.3
    )
    await publish(redis, WORK, example(1), example(2, text="hang"), example(3))
    async with running(build_app(spec, settings, Redis.from_url(settings.redis_dsn))):
        await wait_for(lambda: read_all(redis, streams.SHIPPER), lambda c: len(c) == 1, 30)
    [failed] = by_type(await read_all(redis, streams.EVENTS), "ItemFailed")
    assert (failed.item_id, failed.reason) == ("ex2", "dead_letter")
    assert "TimeoutError" in failed.detail
    assert await redis.xlen(DONE) == 2


async def test_a_stage_whose_group_vanished_exits_and_its_restart_recreates_the_group(
    settings: Settings,
) -> None:
    redis = Redis.from_url(settings.redis_dsn)
    await start_job(redis, 1)

    async def handle(ex: ExampleGenerated, config: JobConfig) -> list[Emit]:
        return forward(ex)

    spec = StageSpec("worker", {ExampleGenerated: handle}, input_stream=WORK)
    first = build_app(spec, settings, Redis.from_url(settings.redis_dsn))
    task = asyncio.create_task(first.run())
    await wait_for(lambda: redis.exists(WORK), bool)
    assert len(await redis.xinfo_groups(WORK)) == 1
    await redis.delete(WORK)  # a flush: the stream and its group are gone
    await publish(redis, WORK, example(1))
    await asyncio.wait_for(task, timeout=30)  # the app exits; a supervisor restarts it
    async with running(build_app(spec, settings, Redis.from_url(settings.redis_dsn))):
        await wait_for(lambda: redis.xlen(DONE), lambda n: n == 1)


async def test_a_key_quoted_in_a_crash_never_reaches_the_dead_letters(settings: Settings) -> None:
    key = "sk-only-in-dotenv-0123456789abcdef"  # in the settings, not the environment
    keyed = settings.model_copy(update={"llm_api_key": SecretStr(key)})
    redis = Redis.from_url(settings.redis_dsn)
    await start_job(redis, 1)

    async def handle(ex: ExampleGenerated, config: JobConfig) -> list[Emit]:
        raise RuntimeError(f"provider said: Incorrect API key provided: {key}")

    spec = StageSpec("worker", {ExampleGenerated: handle}, input_stream=WORK)
    await publish(redis, WORK, example(1))
    async with running(build_app(spec, keyed, Redis.from_url(settings.redis_dsn))):
        await wait_for(lambda: read_all(redis, streams.SHIPPER), lambda c: len(c) == 1, 30)
    dead = await read_raw(redis, streams.dead_letter(WORK))
    [failed] = by_type(await read_all(redis, streams.EVENTS), "ItemFailed")
    assert dead and all(key.encode() not in fields[b"__data__"] for _, fields in dead)
    assert key not in failed.detail and "***" in failed.detail
