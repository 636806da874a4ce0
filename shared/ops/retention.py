"""How long a finished job's Redis state lives: working state goes soon, what a finished job
is still asked about (its config for re-exports, its LLM totals) stays longer."""

from __future__ import annotations

from redis.asyncio import Redis

from shared.contract.streams import factory_totals_key, job_config_key

WORKING_TTL_S = 3600  # tallies, slots, dedup and duplicate indexes, crawl claims, receipts
KEPT_TTL_S = 30 * 24 * 3600


def ttl_of(key: str, job_id: str) -> int:
    kept = {job_config_key(job_id), factory_totals_key(job_id)}
    return KEPT_TTL_S if key in kept else WORKING_TTL_S


async def expire_job(redis: Redis, job_id: str) -> int:
    """Sets the TTL of every key named after the job (each service puts the job id in its
    per-job keys); returns how many keys were given one."""
    keys = [
        key.decode() if isinstance(key, bytes) else str(key)
        async for key in redis.scan_iter(match=f"df:*{job_id}*", count=1000)
    ]
    async with redis.pipeline(transaction=False) as pipe:
        for key in keys:
            pipe.expire(key, ttl_of(key, job_id))
        await pipe.execute()
    return len(keys)
