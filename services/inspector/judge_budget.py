"""The judge's share of a job's spending cap (shared.runtime.budget): a call reserves its
prompt's price and its answer's ceiling before it is sent, in the set the factory's calls
reserve in, and adds what it cost to the job's judge total after."""

from __future__ import annotations

import asyncio
import time

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline

from shared.runtime.budget import JUDGE_SPENT, RESERVE_FN, reserved_key, totals_key

# KEYS: the job's totals, its reservations. ARGV: cap, prompt_usd, answer_usd, hold_s, holder.
_RESERVE = (
    RESERVE_FN
    + """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local held = reserve(KEYS[1], KEYS[2], ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], now)
if held == 0 then return {'exhausted', ''} end
if held == -1 then return {'wait', ''} end
return {'go', held}
"""
)


class JudgeBudget:
    def __init__(self, redis: Redis, hold_s: float, poll_s: float = 0.05) -> None:
        self._redis, self._reserve = redis, redis.register_script(_RESERVE)
        # A dead replica's reservation lapses after `hold_s`: above the call's timeout.
        self._hold_s, self._poll_s = hold_s, poll_s

    async def reserve(
        self, job_id: str, holder: str, cap: float, usd: tuple[float, float]
    ) -> str | None:
        """The reservation, or None when the job's cap is spent, or stays taken by calls in
        flight for longer than one call may last. `holder` (the example) replaces its own
        earlier reservation when it is redelivered."""
        keys = [totals_key(job_id), reserved_key(job_id)]
        args: list[str | float] = [repr(cap), repr(usd[0]), repr(usd[1]), self._hold_s, holder]
        deadline = time.monotonic() + self._hold_s
        while True:
            kind, value = await self._reserve(keys=keys, args=args)
            if kind == b"go":
                return str(value.decode())
            if kind == b"exhausted" or time.monotonic() > deadline:
                return None
            # Calls in other replicas hold what we wait for: there is no event to wait on.
            await asyncio.sleep(self._poll_s)

    @staticmethod
    def settle(pipe: Pipeline, job_id: str, reservation: str, cost_usd: float) -> None:
        """Frees the reservation and counts the cost, in the caller's MULTI."""
        pipe.zrem(reserved_key(job_id), reservation)
        pipe.hincrbyfloat(totals_key(job_id), JUDGE_SPENT, cost_usd)

    async def release(self, job_id: str, reservation: str) -> None:
        """A call that failed before its answer: nothing to count, the room is free again."""
        await self._redis.zrem(reserved_key(job_id), reservation)
