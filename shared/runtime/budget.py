"""A job's spending cap across replicas and stages: an LLM call (the factory's, or the
inspector's judge's) reserves its estimated cost before it starts and settles with its actual
cost; none starts when spent plus in-flight reservations would pass the cap.

Both stages reserve in one sorted set per job and count against the job's totals hash: the
factory's `spent_usd` and the judge's `judge_spent_usd`, kept apart so the factory's own
figures stay its own."""

from __future__ import annotations

from shared.contract.streams import factory_totals_key

# The judge's spending, in the job's totals hash beside the factory's.
JUDGE_SPENT = "judge_spent_usd"


def totals_key(job_id: str) -> str:
    return factory_totals_key(job_id)


def reserved_key(job_id: str) -> str:
    """Sorted set of the job's budget reservations of in-flight calls."""
    return f"df:factory:{job_id}:reserved"


# Reservations are scored by their expiry (Redis server time), so a dead replica's lapse. The
# answer part of the estimate is scaled by how the job's answers so far compared with their
# expected size, so the cap is reached within about one call's cost.
# Returns the reservation, 0 when exhausted (latched in the job hash), -1 to wait for
# in-flight calls that may leave room. A holder's earlier reservation is replaced, not added
# to: a batch line's holder is its work item, reserved again when its entry is redelivered.
RESERVE_FN = """
local function reserve(job_key, reserved_key, cap, prompt_usd, answer_usd, hold, id, now)
  redis.call('ZREMRANGEBYSCORE', reserved_key, '-inf', now)
  if redis.call('HEXISTS', job_key, 'budget_exhausted') == 1 then
    return 0
  end
  local job = redis.call('HMGET', job_key, 'spent_usd', 'completion_tokens', 'expected_tokens',
    'judge_spent_usd')
  local ratio = 1
  if tonumber(job[3] or '0') > 0 then
    ratio = math.min(math.max(tonumber(job[2] or '0') / tonumber(job[3]), 0.25), 4)
  end
  local amount = tonumber(prompt_usd) + tonumber(answer_usd) * ratio
  local reserved = 0
  local mine = id .. ':'
  for _, member in ipairs(redis.call('ZRANGE', reserved_key, 0, -1)) do
    if string.sub(member, 1, #mine) == mine then
      redis.call('ZREM', reserved_key, member)
    else
      reserved = reserved + tonumber(string.match(member, ':(.*)$'))
    end
  end
  local spent = tonumber(job[1] or '0') + tonumber(job[4] or '0')
  if spent + reserved + amount <= tonumber(cap) then
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
