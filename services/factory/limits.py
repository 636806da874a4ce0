"""What an LLM call waits for before it starts: a slot of its job's `max_concurrent_llm` across
replicas, and the model's optional requests and tokens per minute."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from weakref import WeakValueDictionary

from limits import RateLimitItem, RateLimitItemPerSecond
from limits.aio.storage import RedisStorage
from limits.aio.strategies import (
    MovingWindowRateLimiter,
    RateLimiter,
    SlidingWindowCounterRateLimiter,
)
from redis.asyncio import Redis
from redis.asyncio.client import Pipeline

from services.factory import keys
from shared.semaphore import RedisSemaphore


class LocalLimiter:
    """Per process: at most `limit` calls of one job and `process_limit` calls in all."""

    def __init__(self, process_limit: int) -> None:
        self._process = asyncio.Semaphore(process_limit)
        # A job's semaphore lives while a call holds it, so finished jobs leave nothing behind.
        self._jobs: WeakValueDictionary[str, asyncio.Semaphore] = WeakValueDictionary()

    @asynccontextmanager
    async def slot(self, job_id: str, limit: int) -> AsyncIterator[None]:
        job = self._jobs.get(job_id)
        if job is None:
            job = self._jobs[job_id] = asyncio.Semaphore(limit)
        async with job, self._process:
            yield


@dataclass
class Slot:
    """A held slot of a job; its Redis release may ride in the caller's MULTI."""

    key: str
    holder: str
    released: bool = False

    def release(self, pipe: Pipeline) -> None:
        pipe.zrem(self.key, self.holder)
        self.released = True


class SharedLimiter:
    """At most `limit` calls of a job across all replicas. The local bound comes first so a
    replica's own waiters queue in memory and only contention between replicas polls Redis."""

    def __init__(self, redis: Redis, process_limit: int, hold_s: float) -> None:
        self.local, self._shared = LocalLimiter(process_limit), RedisSemaphore(redis)
        self.hold_s = hold_s  # a dead replica's slot frees after this; above the call timeout

    @asynccontextmanager
    async def slot(self, job_id: str, limit: int) -> AsyncIterator[Slot]:
        async with self.local.slot(job_id, limit):
            slot = Slot(keys.slots(job_id), uuid.uuid4().hex)
            await self._acquire(slot, limit)
            try:
                yield slot
            finally:
                if not slot.released:
                    await self._shared.redis.zrem(slot.key, slot.holder)

    async def _acquire(self, slot: Slot, limit: int) -> None:
        """Other replicas hold the job's slots; one frees when their call ends."""
        while True:
            if await self._shared.try_acquire(slot.key, limit, self.hold_s, slot.holder):
                return
            await asyncio.sleep(self._shared.poll_s)


class ProviderLimits:
    """Requests and tokens per minute of a model, shared by every replica through Redis.

    Jobs that give a model the same limits share its window. Tokens are counted when a call
    starts, from the prompt and the template's expected answer size."""

    def __init__(self, redis_url: str, window_s: int = 60) -> None:
        storage = RedisStorage(
            f"async+{redis_url}", implementation="redispy", key_prefix=keys.RATE_PREFIX
        )
        self._requests = MovingWindowRateLimiter(storage)
        # A moving window keeps one list entry per unit, far too many for tokens.
        self._tokens = SlidingWindowCounterRateLimiter(storage)
        self._window_s = window_s

    async def acquire(
        self, model: str, rpm: int | None, tpm: int | None, tokens: Callable[[], int]
    ) -> None:
        if rpm:
            await _take(self._requests, self._per_window(rpm), model, 1)
        if tpm:
            await _take(self._tokens, self._per_window(tpm), f"{model}:tokens", min(tokens(), tpm))

    def _per_window(self, amount: int) -> RateLimitItem:
        return RateLimitItemPerSecond(amount, self._window_s)


async def _take(limiter: RateLimiter, item: RateLimitItem, key: str, cost: int) -> None:
    """Waits until `cost` fits in the window, then takes it."""
    while not await limiter.hit(item, key, cost=cost):
        stats = await limiter.get_window_stats(item, key)
        await asyncio.sleep(min(max(stats.reset_time - time.time(), 0.05), 1.0))
