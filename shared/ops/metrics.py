"""Stage metrics pushed through Redis: a replica counts in memory and adds its counts to one
hash per stage every few seconds, so any number of replicas (compose `--scale`, KEDA, the
embedded stack) report through the Redis they already share, without a port each.

Counters only ever grow (HINCRBY on hashes that Redis persists), so Prometheus' `rate()`
works across replica restarts. The same loop touches heartbeat files for exec probes."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from bisect import bisect_left
from pathlib import Path

from redis.asyncio import Redis
from redis.exceptions import RedisError

log = logging.getLogger("datafactory.metrics")

# Upper bounds (seconds) of the handler latency histogram: a refiner page takes milliseconds,
# an LLM call seconds, a provider batch minutes.
BUCKETS_S = (0.005, 0.025, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0)
# A replica that has not reported for this long no longer counts as running.
STALE_S = 30.0
ALIVE, READY = "alive", "ready"


def stage_key(stage: str) -> str:
    """Hash of a stage's counters: items, errors, calls, seconds and one `le_<i>` per bucket."""
    return f"df:metrics:stage:{stage}"


def replicas_key(stage: str) -> str:
    """Sorted set of a stage's replicas, scored by the time each last reported."""
    return f"df:metrics:replicas:{stage}"


def bucket_field(index: int) -> str:
    """The field of bucket `index`; index len(BUCKETS_S) is the overflow (+Inf) bucket."""
    return f"le_{index}"


class StageMetrics:
    """One replica's counts since its last flush, and the loop that flushes them."""

    def __init__(
        self,
        redis: Redis,
        stage: str,
        replica: str,
        every_s: float = 1.0,
        heartbeat_dir: Path | None = None,
    ) -> None:
        self._redis, self._stage, self._replica = redis, stage, replica
        self._every_s, self._dir = every_s, heartbeat_dir
        self._counts: dict[str, float] = {}
        self._task: asyncio.Task[None] | None = None

    def observe(self, seconds: float, items: int, errors: int = 0) -> None:
        """One handler call (an item, or a batch of `items`) that took `seconds`."""
        bucket = bucket_field(bisect_left(BUCKETS_S, seconds))
        for name, amount in (("items", items), ("errors", errors), ("calls", 1), (bucket, 1)):
            self._counts[name] = self._counts.get(name, 0) + amount
        self._counts["seconds"] = self._counts.get("seconds", 0.0) + seconds

    async def flush(self) -> None:
        counts, self._counts = self._counts, {}
        now = time.time()
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                for name, amount in counts.items():
                    if name == "seconds":
                        pipe.hincrbyfloat(stage_key(self._stage), name, amount)
                    else:
                        pipe.hincrby(stage_key(self._stage), name, int(amount))
                pipe.zadd(replicas_key(self._stage), {self._replica: now})
                pipe.zremrangebyscore(replicas_key(self._stage), "-inf", now - 10 * STALE_S)
                await pipe.execute()
        except RedisError:
            self._restore(counts)  # counted again in the next flush, not lost
            raise
        self._touch(READY)

    def _restore(self, counts: dict[str, float]) -> None:
        for name, amount in counts.items():
            self._counts[name] = self._counts.get(name, 0) + amount

    def _touch(self, name: str) -> None:
        if self._dir is not None:
            self._dir.mkdir(parents=True, exist_ok=True)
            (self._dir / name).touch()

    def start(self) -> None:
        self._touch(ALIVE)
        self._task = asyncio.create_task(self._run(), name=f"metrics-{self._stage}")

    async def _run(self) -> None:
        while True:
            # Alive means the event loop turns; ready also needs Redis (see `flush`).
            self._touch(ALIVE)
            try:
                await self.flush()
            except RedisError as exc:
                log.warning("metrics of %s not flushed: %r", self._stage, exc)
            await asyncio.sleep(self._every_s)

    async def stop(self) -> None:
        """Flushes what is left and leaves the running replicas."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        with contextlib.suppress(RedisError):
            await self.flush()
            await self._redis.zrem(replicas_key(self._stage), self._replica)
        if self._dir is not None:
            (self._dir / READY).unlink(missing_ok=True)
