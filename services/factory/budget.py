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
# in-flight calls that may leave room. A Lua function, so the factory's one round trip
# before a call (services.factory.ledger) reserves with the same code.
RESERVE_FN = """
local function reserve(job_key, reserved_key, cap, prompt_usd, answer_usd, hold, id, now)
  redis.call('ZREMRANGEBYSCORE', reserved_key, '-inf', now)
  if redis.call('HEXISTS', job_key, 'budget_exhausted') == 1 then
    return 0
  end
  local job = redis.call('HMGET', job_key, 'spent_usd', 'completion_tokens', 'expected_tokens')
  local ratio = 1
  if tonumber(job[3] or '0') > 0 then
    ratio = math.min(math.max(tonumber(job[2] or '0') / tonumber(job[3]), 0.25), 4)
  end
  local amount = tonumber(prompt_usd) + tonumber(answer_usd) * ratio
  local reserved = 0
  for _, member in ipairs(redis.call('ZRANGE', reserved_key, 0, -1)) do
    reserved = reserved + tonumber(string.match(member, ':(.*)$'))
  end
  if tonumber(job[1] or '0') + reserved + amount <= tonumber(cap) then
    local member = id .. ':' .. string.format('%.17g', amount)
    redis.call('ZADD', reserved_key, now + tonumber(hold), member)
    redis.call('EXPIRE', reserved_key, math.ceil(tonumber(hold)) + 60)
    return member
  end
  if reserved > 0 then
    return -1
  end
  redis.call('HSET', job_key, 'budget_exhausted', cap)
  return 0
end
"""
_RESERVE = (
    RESERVE_FN
    + """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
return reserve(KEYS[1], KEYS[2], ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], now)
"""
)


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
        self.hold_s, self.default_cap, self.poll_s = hold_s, default_cap, poll_s

    async def reserve(
        self, job_id: str, cap: float | None, prompt_usd: float, answer_usd: float
    ) -> str | None:
        """A reservation to settle after the call; waits while in-flight calls may leave room,
        raises LLMFailure(budget_exhausted) when none will. None when there is no cap at all."""
        cap = self.default_cap if cap is None else cap
        if cap is None:
            return None
        keys_ = [keys.job(job_id), keys.reserved(job_id)]
        args: list[str | float] = [repr(cap), repr(prompt_usd), repr(answer_usd), self.hold_s]
        args.append(uuid.uuid4().hex)
        while True:
            result = await self._script(keys=keys_, args=args)
            if isinstance(result, bytes):
                return result.decode()
            if int(result) == 0:
                raise exhausted(cap)
            await asyncio.sleep(self.poll_s)

    def settle(self, pipe: Pipeline, job_id: str, member: str | None) -> None:
        """Drops the reservation; queue it in the same MULTI that adds the actual cost to
        `spent_usd`, so no other call sees neither."""
        if member is not None:
            pipe.zrem(keys.reserved(job_id), member)
