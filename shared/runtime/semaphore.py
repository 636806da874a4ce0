"""A counting semaphore shared by every replica, in Redis; a dead holder's slot expires."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from redis.asyncio import Redis
from redis.exceptions import RedisError

# Holders live in a sorted set scored by their expiry (Redis server time, so replicas on
# machines with skewed clocks agree); expired holders are dropped before counting. A Lua
# function, so scripts that take a slot among other things in one round trip share it.
ACQUIRE_FN = """
local function acquire(key, limit, ttl, holder, now)
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
  if redis.call('ZCARD', key) < limit then
    redis.call('ZADD', key, now + ttl, holder)
    redis.call('EXPIRE', key, math.ceil(ttl) + 60)
    return 1
  end
  return 0
end
"""
_ACQUIRE = (
    ACQUIRE_FN
    + """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
return acquire(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3], now)
"""
)


async def drop_idle_connections(redis: Redis) -> None:
    """After a Redis restart every pooled connection is dead, and each would fail one more
    command before being replaced: drop the idle ones at once, so a retry gets a new one."""
    with contextlib.suppress(RedisError, OSError):
        await redis.connection_pool.disconnect(inuse_connections=False)


class SlotWaitExpired(TimeoutError):
    """Every slot stayed taken for longer than the caller would wait."""


RELEASE_ATTEMPTS = 6
RELEASE_BACKOFF_S = 0.25


class RedisSemaphore:
    def __init__(self, redis: Redis, poll_s: float = 0.02) -> None:
        self.redis, self.poll_s = redis, poll_s
        self._acquire = redis.register_script(_ACQUIRE)

    async def try_acquire(self, key: str, limit: int, ttl_s: float, holder: str) -> bool:
        return int(await self._acquire(keys=[key], args=[limit, ttl_s, holder])) == 1

    @asynccontextmanager
    async def slot(
        self, key: str, limit: int, ttl_s: float, wait_s: float | None = None
    ) -> AsyncIterator[None]:
        """Holds one of `limit` slots of `key`; `ttl_s` bounds how long a crashed holder
        keeps its slot, so it must exceed the longest legitimate hold. Waiting longer than
        `wait_s` raises SlotWaitExpired."""
        holder = uuid.uuid4().hex
        deadline = None if wait_s is None else time.monotonic() + wait_s
        try:
            # Holders live in other processes, so there is no local event to wait on: poll.
            while not await self.try_acquire(key, limit, ttl_s, holder):
                if deadline is not None and time.monotonic() > deadline:
                    raise SlotWaitExpired(f"no slot of {key} within {wait_s:g}s")
                await asyncio.sleep(self.poll_s)
        except RedisError:
            # The acquire may have landed before the connection broke: never keep it.
            with contextlib.suppress(RedisError):
                await self._release(key, holder)
            raise
        try:
            yield
        finally:
            await self._release(key, holder)

    async def _release(self, key: str, holder: str) -> None:
        """Gives the slot back, retrying while Redis is away (a restart takes a second or
        two): a slot left behind would block the job's other work until its TTL."""
        for attempt in range(RELEASE_ATTEMPTS):
            try:
                await self.redis.zrem(key, holder)
                return
            except RedisError:
                if attempt == RELEASE_ATTEMPTS - 1:
                    raise
                await asyncio.sleep(RELEASE_BACKOFF_S * 2**attempt)
                await drop_idle_connections(self.redis)

    async def holders(self, key: str) -> int:
        return int(await self.redis.zcard(key))
