"""Keeps a live replica's pending entries from being reclaimed while it still works on them."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Container

from redis.asyncio import Redis
from redis.exceptions import RedisError

log = logging.getLogger("datafactory.lease")


async def renew(
    redis: Redis, stream: str, group: str, consumer: str, released: Container[str] = ()
) -> int:
    """Resets the idle time of every entry `consumer` holds (XCLAIM JUSTID: no new delivery),
    except `released` ones: entries whose handler failed must go idle to be retried."""
    pending = await redis.xpending_range(stream, group, "-", "+", 1000, consumername=consumer)
    ids: list[int | bytes | str | memoryview[int]] = [
        e["message_id"] for e in pending if _text(e["message_id"]) not in released
    ]
    if ids:
        await redis.xclaim(stream, group, consumer, 0, ids, justid=True)
    return len(ids)


def _text(entry_id: object) -> str:
    return entry_id.decode() if isinstance(entry_id, bytes) else str(entry_id)


async def keep_leases(
    redis: Redis, stream: str, group: str, consumer: str, every_s: float, released: Container[str]
) -> None:
    """Renews forever; only a replica that stopped (or died) lets its entries go idle.

    Entries a replica fetched but has not started yet age too, so renewing only the entry a
    handler is running would not be enough."""
    while True:
        await asyncio.sleep(every_s)
        try:
            await renew(redis, stream, group, consumer, released)
        except RedisError as exc:
            log.warning("lease renewal on %s failed: %r", stream, exc)


class Leases:
    """Renews a replica's leases every third of the claim idle time, from start to stop."""

    def __init__(
        self, redis: Redis, stream: str, group: str, consumer: str, claim_idle_ms: int
    ) -> None:
        self._args = (redis, stream, group, consumer, claim_idle_ms / 3000)
        self._task: asyncio.Task[None] | None = None

    def start(self, released: Container[str]) -> None:
        self._task = asyncio.create_task(keep_leases(*self._args, released))

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
