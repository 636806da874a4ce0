"""A call's shared bookkeeping in two round trips to Redis: one before it (the cache, a slot of
the job, a budget reservation) and one after it (free both, cache the answer, add to the job's
totals). Each is one Lua script, so it is atomic and costs the replica one command's CPU
instead of a dozen.

A provider batch's line takes the same path without a slot (the provider, not our
connections, runs it) and with a reservation held as long as the batch may take."""

from __future__ import annotations

import asyncio
import json
import uuid
from dataclasses import asdict, dataclass

from redis.asyncio import Redis

from services.factory import keys
from services.factory.budget import exhausted
from services.factory.cache import CACHE_TTL_S, CachedAnswer
from services.factory.values import Call
from shared.ops import totals
from shared.runtime.budget import RESERVE_FN
from shared.runtime.semaphore import ACQUIRE_FN

# KEYS: cache, slots, totals, reserved. ARGV: limit ("" for no slot), hold_s, holder, cap (""
# for none), prompt_usd, answer_usd, "skip" to ignore the cache. A cached answer is counted
# and returned; else a slot, then a reservation; a wait gives the slot back, so a waiting call
# holds nothing.
_BEGIN = (
    ACQUIRE_FN
    + RESERVE_FN
    + """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local cached = ARGV[7] ~= 'skip' and redis.call('GET', KEYS[1])
if cached then
  redis.call('HINCRBY', KEYS[3], 'cache_hits', 1)
  return {'hit', cached}
end
if ARGV[1] ~= '' and acquire(KEYS[2], tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3], now) == 0 then
  return {'wait', ''}
end
if ARGV[4] == '' then
  return {'go', ''}
end
local held = reserve(KEYS[3], KEYS[4], ARGV[4], ARGV[5], ARGV[6], ARGV[2], ARGV[3], now)
if held == 0 or held == -1 then
  redis.call('ZREM', KEYS[2], ARGV[3])
  return {held == 0 and 'exhausted' or 'wait', ''}
end
return {'go', held}
"""
)

# KEYS: slots, reserved, cache, job totals, model totals, the set of model totals. ARGV:
# holder, reservation ("" for none), answer ("" for none), ttl, then (field, "i" | "f",
# amount) triples added to both totals.
_FINISH = """
redis.call('ZREM', KEYS[1], ARGV[1])
if ARGV[2] ~= '' then redis.call('ZREM', KEYS[2], ARGV[2]) end
if ARGV[3] ~= '' then redis.call('SET', KEYS[3], ARGV[3], 'EX', ARGV[4]) end
redis.call('SADD', KEYS[6], KEYS[5])
for i = 5, #ARGV, 3 do
  for k = 4, 5 do
    if ARGV[i + 1] == 'i' then
      redis.call('HINCRBY', KEYS[k], ARGV[i], ARGV[i + 2])
    else
      redis.call('HINCRBYFLOAT', KEYS[k], ARGV[i], ARGV[i + 2])
    end
  end
end
return 1
"""
assert "cache_hits" in totals.FactoryTotals.model_fields  # the one field _BEGIN names


@dataclass(frozen=True)
class Ticket:
    """A call's slot and reservation, held until `finish`."""

    holder: str
    reservation: str


class Ledger:
    def __init__(
        self, redis: Redis, hold_s: float, default_cap: float | None, poll_s: float = 0.02
    ) -> None:
        self._begin, self._finish = redis.register_script(_BEGIN), redis.register_script(_FINISH)
        # A dead replica's slot and reservation lapse after `hold_s`: above the call timeout.
        self._hold_s, self._default_cap, self._poll_s = hold_s, default_cap, poll_s

    async def begin(self, call: Call, key: str, usd: tuple[float, float]) -> Ticket | CachedAnswer:
        """A cached answer, or the call's slot and reservation once both are free; raises
        LLMFailure(budget_exhausted) when the job's cap is spent. `usd`: its prompt's price
        and its expected answer's."""
        limit = str(call.gen.max_concurrent_llm)
        return await self._enter(call, key, usd, limit, uuid.uuid4().hex, self._hold_s)

    async def begin_batch_line(
        self, call: Call, key: str, usd: tuple[float, float], hold_s: float, poll_s: float
    ) -> Ticket | CachedAnswer:
        """As `begin` for a line of a provider batch: no slot, and its work item holds the
        reservation, so a redelivered item replaces it instead of reserving twice."""
        return await self._enter(call, key, usd, "", call.owner, hold_s, poll_s)

    async def _enter(
        self,
        call: Call,
        key: str,
        usd: tuple[float, float],
        limit: str,
        holder: str,
        hold_s: float,
        poll_s: float | None = None,
    ) -> Ticket | CachedAnswer:
        cap = self._default_cap if call.gen.max_cost_usd is None else call.gen.max_cost_usd
        keys_ = [key, keys.slots(call.job_id), keys.job(call.job_id), keys.reserved(call.job_id)]
        capped = "" if cap is None else repr(cap)
        args: list[str | float] = [limit, hold_s, holder, capped, repr(usd[0]), repr(usd[1]), ""]
        while True:
            kind, value = await self._begin(keys=keys_, args=args)
            if kind == b"go":
                return Ticket(holder, value.decode())
            if kind == b"hit":
                answer = CachedAnswer.decode(value)
                if answer is not None:
                    return answer
                args[-1] = "skip"  # an incompatible version's answer: ask the LLM again
                continue
            if kind == b"exhausted":
                raise exhausted(float(capped))
            # Other calls hold what we wait for, maybe in other replicas: poll.
            await asyncio.sleep(poll_s or self._poll_s)

    async def finish(
        self, call: Call, key: str, ticket: Ticket, answer: CachedAnswer | None, **amounts: float
    ) -> None:
        """Frees the slot and reservation, caches `answer`, adds `amounts` to the job's totals
        and the model's."""
        keys_ = [keys.slots(call.job_id), keys.reserved(call.job_id), key, keys.job(call.job_id)]
        keys_ += [totals.model_key(call.model), totals.MODEL_KEYS]
        cached = json.dumps(asdict(answer)) if answer is not None else ""
        args: list[str | float] = [ticket.holder, ticket.reservation, cached, CACHE_TTL_S]
        await self._finish(keys=keys_, args=args + totals.script_args(**amounts))
