"""A job's spending cap across replicas: a call reserves its estimated cost before it starts and
settles with its actual cost; none starts when spent plus in-flight reservations would pass it."""

from __future__ import annotations

import asyncio
import uuid

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline

from services.factory import keys
from services.factory.values import LLMFailure

# Reservations are scored by their expiry (Redis server time), so a dead replica's lapse.
# Returns 1 reserved, 0 exhausted (latched in the job hash), -1 wait for in-flight calls.
_RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
if redis.call('HEXISTS', KEYS[1], 'budget_exhausted') == 1 then
  return 0
end
local reserved = 0
for _, member in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
  reserved = reserved + tonumber(string.match(member, ':(.*)$'))
end
local spent = tonumber(redis.call('HGET', KEYS[1], 'spent_usd') or '0')
if spent + reserved + tonumber(ARGV[2]) <= tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[2], now + tonumber(ARGV[3]), ARGV[4])
  redis.call('EXPIRE', KEYS[2], math.ceil(tonumber(ARGV[3])) + 60)
  return 1
end
if reserved > 0 then
  return -1
end
redis.call('HSET', KEYS[1], 'budget_exhausted', ARGV[5])
return 0
"""


def exhausted() -> LLMFailure:
    detail = "the job's max_cost_usd is spent"
    return LLMFailure("budget_exhausted", detail, outcome="skipped", sent=False)


class Budget:
    def __init__(self, redis: Redis, hold_s: float, poll_s: float = 0.05) -> None:
        self._script = redis.register_script(_RESERVE)
        self._hold_s, self._poll_s = hold_s, poll_s

    async def reserve(self, job_id: str, cap: float | None, amount: float) -> str | None:
        """A reservation to settle after the call; waits while in-flight calls may leave room,
        raises LLMFailure(budget_exhausted) when none will. None when the job has no cap."""
        if cap is None:
            return None
        member = f"{uuid.uuid4().hex}:{amount!r}"
        keys_ = [keys.job(job_id), keys.reserved(job_id)]
        while True:
            args: list[str | float] = [repr(cap), repr(amount), self._hold_s, member, repr(cap)]
            result = int(await self._script(keys=keys_, args=args))
            if result == 1:
                return member
            if result == 0:
                raise exhausted()
            await asyncio.sleep(self._poll_s)

    def settle(self, pipe: Pipeline, job_id: str, member: str | None) -> None:
        """Drops the reservation; queue it in the same MULTI that adds the actual cost to
        `spent_usd`, so no other call sees neither."""
        if member is not None:
            pipe.zrem(keys.reserved(job_id), member)
