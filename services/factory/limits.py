"""What an LLM call waits for before it starts, besides its job's slot across replicas (taken in
the ledger's round trip): a slot of this process, and the model's optional requests and tokens
per minute."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from weakref import WeakValueDictionary

from limits import RateLimitItem, RateLimitItemPerSecond
from limits.aio.storage import RedisStorage
from limits.aio.strategies import (
    MovingWindowRateLimiter,
    RateLimiter,
    SlidingWindowCounterRateLimiter,
)

from services.factory import keys


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
