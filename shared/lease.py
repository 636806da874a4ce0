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


def start(
    redis: Redis,
    stream: str,
    group: str,
    consumer: str,
    claim_idle_ms: int,
    released: Container[str],
) -> asyncio.Task[None]:
    every_s = claim_idle_ms / 3000
    return asyncio.create_task(keep_leases(redis, stream, group, consumer, every_s, released))


async def stop(task: asyncio.Task[None] | None) -> None:
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
