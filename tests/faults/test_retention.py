"""A finished job's Redis keys expire: working state within the hour, config and totals later."""

from __future__ import annotations

from redis.asyncio import Redis

from shared.contract import streams
from shared.ops import retention
from shared.settings import Settings
from tests.helpers import configure


async def test_a_finished_jobs_keys_get_ttls_and_other_jobs_keep_theirs(settings: Settings) -> None:
    redis = Redis.from_url(settings.redis_dsn)
    await configure(redis, "job_a", "job_b")
    for job in ("job_a", "job_b"):
        await redis.hset(streams.tally_key(job), "outstanding", 0)
        await redis.hset(streams.factory_totals_key(job), "calls", 3)
        await redis.hset(f"df:dedup:{{job:{job}}}", "x", 1)
    assert await retention.expire_job(redis, "job_a") == 4
    assert 0 < await redis.ttl(streams.tally_key("job_a")) <= retention.WORKING_TTL_S
    assert 0 < await redis.ttl("df:dedup:{job:job_a}") <= retention.WORKING_TTL_S
    for kept in (streams.job_config_key("job_a"), streams.factory_totals_key("job_a")):
        assert retention.WORKING_TTL_S < await redis.ttl(kept) <= retention.KEPT_TTL_S
    assert await redis.ttl(streams.tally_key("job_b")) == -1, "another job keeps its state"
