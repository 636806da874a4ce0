"""A job's spending cap across replicas: a call reserves its estimated cost before it starts and
settles with its actual cost; none starts when spent plus in-flight reservations would pass it."""

from __future__ import annotations

import asyncio
import uuid

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline

from services.factory import keys
from services.factory.values import LLMFailure

# Reservations are scored by their expiry (Redis server time), so a dead replica's lapse. The
# answer part of the estimate is scaled by how the job's answers so far compared with their
# expected size, so the cap is reached within about one call's cost.
# Returns the reservation, 0 when exhausted (latched in the job hash), -1 to wait for
# in-flight calls that may leave room.
_RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
if redis.call('HEXISTS', KEYS[1], 'budget_exhausted') == 1 then
  return 0
end
local job = redis.call('HMGET', KEYS[1], 'spent_usd', 'completion_tokens', 'expected_tokens')
local ratio = 1
if tonumber(job[3] or '0') > 0 then
  ratio = math.min(math.max(tonumber(job[2] or '0') / tonumber(job[3]), 0.25), 4)
end
local amount = tonumber(ARGV[2]) + tonumber(ARGV[3]) * ratio
local reserved = 0
for _, member in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
  reserved = reserved + tonumber(string.match(member, ':(.*)$'))
end
if tonumber(job[1] or '0') + reserved + amount <= tonumber(ARGV[1]) then
  local member = ARGV[5] .. ':' .. string.format('%.17g', amount)
  redis.call('ZADD', KEYS[2], now + tonumber(ARGV[4]), member)
  redis.call('EXPIRE', KEYS[2], math.ceil(tonumber(ARGV[4])) + 60)
  return member
end
if reserved > 0 then
  return -1
end
redis.call('HSET', KEYS[1], 'budget_exhausted', ARGV[1])
return 0
"""


def exhausted(cap: float) -> LLMFailure:
    detail = f"the job's spending cap of ${cap:.4g} is spent"
    return LLMFailure("budget_exhausted", detail, outcome="skipped", sent=False)


class Budget:
    def __init__(
        self,
        redis: Redis,
        hold_s: float,
        default_cap: float | None = None,  # for a job without max_cost_usd
        poll_s: float = 0.05,
    ) -> None:
        self._script = redis.register_script(_RESERVE)
        self._hold_s, self._default_cap, self._poll_s = hold_s, default_cap, poll_s

    async def reserve(
        self, job_id: str, cap: float | None, prompt_usd: float, answer_usd: float
    ) -> str | None:
        """A reservation to settle after the call; waits while in-flight calls may leave room,
        raises LLMFailure(budget_exhausted) when none will. None when there is no cap at all."""
        cap = self._default_cap if cap is None else cap
        if cap is None:
            return None
        keys_ = [keys.job(job_id), keys.reserved(job_id)]
        args: list[str | float] = [repr(cap), repr(prompt_usd), repr(answer_usd), self._hold_s]
        args.append(uuid.uuid4().hex)
        while True:
            result = await self._script(keys=keys_, args=args)
            if isinstance(result, bytes):
                return result.decode()
            if int(result) == 0:
                raise exhausted(cap)
            await asyncio.sleep(self._poll_s)

    def settle(self, pipe: Pipeline, job_id: str, member: str | None) -> None:
        """Drops the reservation; queue it in the same MULTI that adds the actual cost to
        `spent_usd`, so no other call sees neither."""
        if member is not None:
            pipe.zrem(keys.reserved(job_id), member)
