"""The stream runtime against a real redis-server: groups, dead letters, fairness, tallies."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest
from faststream import FastStream
from redis.asyncio import Redis

from shared.contract import streams
from shared.contract.config import JobConfig
from shared.contract.events import ExampleGenerated, ItemFailed
from shared.contract.ids import derive
from shared.runtime.commit import Committer, Emit, Settle
from shared.runtime.runtime import build_app, ensure_group
from shared.runtime.stage import StageSpec
from shared.settings import Settings
from tests.helpers import (
    by_type,
    configure,
    group_read,
    publish,
    read_all,
    read_raw,
    running,
    wait_for,
)

WORK = "test:work"
DONE = "test:done"


def example(
    i: int, job: str = "job1", text: str = "An answer with enough words."
) -> ExampleGenerated:
    return ExampleGenerated(
        event_id=f"ex{i}",
        job_id=job,
        chunk_id="c",
        document_id="d",
        url="http://x",
        template="qa",
        input=f"question {i}",
        output=text,
        model="m",
        prompt_tokens=1,
        completion_tokens=1,
        cost_usd=0.0,
    )


def echo_spec(
    settings: Settings, seen: Counter[str] | None = None, consumer: str = "r"
) -> StageSpec:
    """A stage that forwards each example to DONE, recording which consumer took it."""

    async def handle(ex: ExampleGenerated, config: JobConfig) -> list[Emit]:
        if seen is not None:
            seen[consumer] += 1
            await asyncio.sleep(0.01)
        if ex.output == "slow":
            await asyncio.sleep(4 * settings.claim_idle_ms / 1000)
        if ex.output == "boom":
            raise RuntimeError("handler crashed on purpose")
        return [Emit(DONE, ex.model_copy(update={"event_id": derive(ex.event_id, "done")}))]

    return StageSpec("worker", {ExampleGenerated: handle}, concurrency=4, input_stream=WORK)


def app(settings: Settings, spec: StageSpec, consumer: str | None = None) -> FastStream:
    return build_app(spec, settings, Redis.from_url(settings.redis_dsn), consumer)


async def test_items_published_before_any_worker_started_are_processed(settings: Settings) -> None:
    redis = Redis.from_url(settings.redis_dsn)
    await configure(redis, "job1")
    await publish(redis, WORK, *(example(i) for i in range(5)))
    async with running(app(settings, echo_spec(settings))):
        done = await wait_for(lambda: read_all(redis, DONE), lambda d: len(d) == 5)
    assert sorted(e.event_id for e in done) == sorted(derive(f"ex{i}", "done") for i in range(5))


async def test_poison_entries_are_dead_lettered_and_the_worker_goes_on(settings: Settings) -> None:
    redis = Redis.from_url(settings.redis_dsn)
    await configure(redis, "job1")
    await redis.xadd(WORK, {"__data__": b'{"type": "NoSuchEvent", "junk": true}'})
    await publish(redis, WORK, example(1, text="boom"), example(2))
    async with running(app(settings, echo_spec(settings))):
        dead = await wait_for(
            lambda: read_raw(redis, streams.dead_letter(WORK)), lambda d: len(d) == 2
        )
        failed = await wait_for(lambda: read_all(redis, streams.EVENTS), lambda e: len(e) == 1)
    assert len(await read_all(redis, DONE)) == 1
    [item] = by_type(failed, "ItemFailed")
    assert isinstance(item, ItemFailed)
    assert (item.item_id, item.reason) == ("ex1", "dead_letter")
    assert "handler crashed on purpose" in item.detail
    reasons = [fields[b"__data__"] for _, fields in dead]
    assert b"invalid" in reasons[0] and b"handler_error" in reasons[1]
    pending = await redis.xpending(WORK, "worker")
    assert pending["pending"] == 0


async def test_two_replicas_share_a_backlog_fairly(settings: Settings) -> None:
    redis = Redis.from_url(settings.redis_dsn)
    await ensure_group(redis, WORK, "worker")
    await configure(redis, "job1")
    await publish(redis, WORK, *(example(i) for i in range(100)))
    seen: Counter[str] = Counter()
    apps = [app(settings, echo_spec(settings, seen, f"r{i}"), f"r{i}") for i in (1, 2)]
    async with running(*apps):
        await wait_for(lambda: redis.xlen(DONE), lambda n: n >= 100)
    assert sum(seen.values()) == 100
    assert max(seen.values()) <= 70, seen


async def test_commit_settles_an_entry_once_and_completes_the_job_once(redis_url: str) -> None:
    redis = Redis.from_url(redis_url)
    await ensure_group(redis, WORK, "worker")
    await redis.hset(streams.tally_key("job1"), "outstanding", 2)
    await publish(redis, WORK, example(1), example(2))
    read = group_read(await redis.xreadgroup("worker", "c1", {WORK: ">"}, count=2))
    ids = [entry_id.decode() for entry_id, _ in read]
    committer = Committer(redis)

    async def settle(entry_id: str) -> bool:
        [settled] = await committer.commit(
            WORK, "worker", [Settle(entry_id, "job1", True, [Emit(DONE, example(9))])]
        )
        return settled

    assert await settle(ids[0]) is True
    assert await settle(ids[0]) is False  # a second replica finishing the same entry
    assert await redis.xlen(DONE) == 1
    assert await read_all(redis, streams.SHIPPER) == []
    assert await settle(ids[1]) is True
    [completed] = await read_all(redis, streams.SHIPPER)
    assert completed.type == "JobCompleted" and completed.job_id == "job1"


@pytest.mark.parametrize("payload", [b"not json", b'{"type": "ExampleGenerated"}'])
async def test_invalid_payload_never_reaches_the_handler(
    settings: Settings, payload: bytes
) -> None:
    redis = Redis.from_url(settings.redis_dsn)
    await redis.xadd(WORK, {"__data__": payload})
    async with running(app(settings, echo_spec(settings))):
        await wait_for(lambda: redis.xlen(streams.dead_letter(WORK)), lambda n: n == 1)
    assert await redis.xlen(DONE) == 0


async def test_a_slow_but_live_replica_keeps_its_entries(settings: Settings) -> None:
    redis = Redis.from_url(settings.redis_dsn)
    await ensure_group(redis, WORK, "worker")
    await configure(redis, "job1")
    await publish(redis, WORK, example(1, text="slow"))
    seen: Counter[str] = Counter()
    apps = [app(settings, echo_spec(settings, seen, f"r{i}"), f"r{i}") for i in (1, 2)]
    async with running(*apps):
        await wait_for(lambda: redis.xlen(DONE), lambda n: n == 1, timeout=30)
    assert sum(seen.values()) == 1, "the other replica never reclaimed the entry"


async def test_items_of_a_cancelled_job_are_skipped_and_the_job_still_settles(
    settings: Settings,
) -> None:
    redis = Redis.from_url(settings.redis_dsn)
    await redis.sadd(streams.CANCELLED_JOBS, "gone")
    await redis.hset(streams.tally_key("gone"), "outstanding", 2)
    await configure(redis, "gone", "job1")
    await publish(redis, WORK, example(1, job="gone"), example(2, job="gone"), example(3))
    async with running(app(settings, echo_spec(settings))):
        await wait_for(lambda: read_all(redis, streams.SHIPPER), lambda d: len(d) == 1)
        done = await wait_for(lambda: read_all(redis, DONE), lambda d: len(d) == 1)
    assert done[0].job_id == "job1", "other jobs go on"
    skipped = by_type(await read_all(redis, streams.EVENTS), "ItemFailed")
    assert {(s.item_id, s.outcome, s.reason) for s in skipped} == {
        ("ex1", "skipped", "cancelled"),
        ("ex2", "skipped", "cancelled"),
    }
