"""Test helpers: publishing events, reading them back, waiting on conditions with timeouts."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from faststream import FastStream
from redis.asyncio import Redis

from shared.contract import jobconfig, wire
from shared.contract.config import JobConfig
from shared.contract.events import AnyEvent, Event, parse_event

T = TypeVar("T")


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
    return [parse_event(wire.decode_fields(fields)) for _, fields in await redis.xrange(stream)]


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
