"""Items of a batch handler that arrive in small reads are handled together."""

from __future__ import annotations

import asyncio
from typing import Any

from shared.contract.config import JobConfig
from shared.runtime.gather import Gatherer
from shared.runtime.stage import Work
from tests.runtime.test_stream_runtime import example


def works(*ids: int) -> list[Work[Any]]:
    return [Work(f"1-{i}", example(i), JobConfig()) for i in ids]


async def test_small_reads_are_held_for_the_linger_and_handled_in_one_call() -> None:
    calls: list[list[str]] = []
    handled = asyncio.Event()

    async def run(kind: type[Any], batch: list[Work[Any]]) -> None:
        calls.append([w.entry_id for w in batch])
        handled.set()

    gatherer = Gatherer(run, size=10, linger_s=0.05)
    for i in range(3):
        await gatherer.add(type(example(0)), works(i))
    assert calls == [], "nothing is handled before the linger"
    await asyncio.wait_for(handled.wait(), timeout=5)
    assert calls == [["1-0", "1-1", "1-2"]]


async def test_a_full_batch_is_handled_at_once_and_drain_flushes_the_rest() -> None:
    calls: list[int] = []

    async def run(kind: type[Any], batch: list[Work[Any]]) -> None:
        calls.append(len(batch))

    gatherer = Gatherer(run, size=4, linger_s=3600)
    await gatherer.add(type(example(0)), works(*range(5)))
    assert calls == [5]
    await gatherer.add(type(example(0)), works(7))
    await gatherer.drain()
    assert calls == [5, 1]
