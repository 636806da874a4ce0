"""Test helpers: publishing events, reading them back, waiting on conditions with timeouts."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar, cast

import redis as sync_redis
from faststream import FastStream
from redis.asyncio import Redis
from redis.typing import StreamRangeResponse, XReadGroupResponse

from shared.contract import jobconfig, streams, wire
from shared.contract.config import JobConfig
from shared.contract.events import AnyEvent, Event, parse_event

T = TypeVar("T")
E = TypeVar("E", bound=Event)

# Our clients never set decode_responses, so entry ids, field names and values are bytes.
Entry = tuple[bytes, dict[bytes, bytes]]


def entries(answer: StreamRangeResponse | None) -> list[Entry]:
    """An XRANGE answer as a client without decode_responses returns it."""
    return cast(list[Entry], answer or [])


async def read_raw(redis: Redis, stream: str) -> list[Entry]:
    """A stream's entries as stored, for entries that are not events (dead letters, junk)."""
    return entries(await redis.xrange(stream))


def text(value: bytes | str) -> str:
    """An entry id, key or value as text, however the client typed it."""
    return value.decode() if isinstance(value, bytes) else value


def group_read(answer: XReadGroupResponse) -> list[Entry]:
    """The entries of the one stream an XREADGROUP asked for (RESP2: [[stream, entries]])."""
    assert isinstance(answer, list) and len(answer) == 1, answer
    return cast(list[Entry], answer[0][1])


async def publish(redis: Redis, stream: str, *events: Event) -> None:
    for event in events:
        await redis.xadd(stream, {wire.DATA_FIELD: wire.encode(event)})


async def configure(redis: Redis, *jobs: str, config: JobConfig | None = None) -> None:
    """Writes the jobs' config as the gateway does at submission; work items refer to it."""
    async with redis.pipeline(transaction=True) as pipe:
        for job in jobs:
            jobconfig.store(pipe, job, config or JobConfig())
        await pipe.execute()


async def read_all(redis: Redis, stream: str) -> list[AnyEvent]:
    return [parse_event(wire.decode_fields(f)) for _, f in entries(await redis.xrange(stream))]


def job_log(redis_url: str, job_id: str) -> list[AnyEvent]:
    """Every event of one job on every stream, read with a blocking client."""
    client = sync_redis.Redis.from_url(redis_url)
    found = [
        parse_event(wire.decode_fields(fields))
        for stream in streams.ALL_STREAMS
        for _, fields in entries(client.xrange(stream))
    ]
    client.close()
    return [event for event in found if event.job_id == job_id]


async def wait_for(
    probe: Callable[[], Awaitable[T]], done: Callable[[T], bool], timeout: float = 30.0
) -> T:
    """Polls `probe` until `done(value)`; fails with the last value after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = await probe()
        if done(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s; last value: {value!r}")
        await asyncio.sleep(0.05)


@asynccontextmanager
async def running(*apps: FastStream) -> AsyncIterator[None]:
    tasks = [asyncio.create_task(app.run()) for app in apps]
    try:
        await wait_for(_started(apps), bool, timeout=15)
        yield
    finally:
        for app in apps:
            app.exit()
        await asyncio.gather(*tasks, return_exceptions=True)


def _started(apps: tuple[FastStream, ...]) -> Callable[[], Awaitable[bool]]:
    async def probe() -> bool:
        return all(app.broker is not None and app.broker.running for app in apps)

    return probe


def by_type(events: list[Any], name: str) -> list[Any]:
    return [e for e in events if e.type == name]


def of_kind(events: list[AnyEvent], kind: type[E]) -> list[E]:
    """Events that must all be one type, as on a stage's input stream; fails on any other."""
    assert all(isinstance(e, kind) for e in events), [type(e).__name__ for e in events]
    return [e for e in events if isinstance(e, kind)]
