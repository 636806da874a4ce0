"""Holds a batch handler's items for a moment, so items that trickle in are handled together:
a batch call costs nearly the same for five items as for a hundred."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from shared.runtime.stage import Work

Run = Callable[[type[Any], list[Work[Any]]], Awaitable[None]]


class Gatherer:
    def __init__(self, run: Run, size: int, linger_s: float) -> None:
        self._run, self._size, self._linger_s = run, size, linger_s
        self._buffers: dict[type[Any], list[Work[Any]]] = {}
        self._timers: dict[type[Any], asyncio.Task[None]] = {}
        # One batch at a time: a full buffer flushed by a read waits for the one before it,
        # which holds back further reads (backpressure).
        self._lock = asyncio.Lock()

    async def add(self, kind: type[Any], works: list[Work[Any]]) -> None:
        buffer = self._buffers.setdefault(kind, [])
        buffer.extend(works)
        if len(buffer) >= self._size or self._linger_s <= 0:
            await self._flush(kind)
        elif kind not in self._timers:
            self._timers[kind] = asyncio.create_task(self._later(kind))

    async def flush(self) -> None:
        """Handles whatever is held now (a sleeping timer later finds nothing)."""
        for kind in list(self._buffers):
            await self._flush(kind)

    async def drain(self) -> None:
        """Handles whatever is held (at shutdown), without waiting out the linger. Timers
        still in the dict are asleep (a waking one leaves it before it flushes), so
        cancelling them interrupts no batch."""
        timers = list(self._timers.values())
        for timer in timers:
            timer.cancel()
        await asyncio.gather(*timers, return_exceptions=True)
        self._timers.clear()
        await self.flush()
        async with self._lock:  # a batch a woken timer is still handling
            pass

    async def _later(self, kind: type[Any]) -> None:
        await asyncio.sleep(self._linger_s)
        del self._timers[kind]
        await self._flush(kind)

    async def _flush(self, kind: type[Any]) -> None:
        async with self._lock:
            works = self._buffers.pop(kind, [])
            if works:
                await self._run(kind, works)
