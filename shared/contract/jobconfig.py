"""A job's config by reference: written once at submission, read once per job by each replica."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from typing import Any

from redis.asyncio import Redis

from shared.contract.config import JobConfig
from shared.contract.streams import job_config_key

# Jobs whose config a replica keeps in memory; a config never changes, so eviction only costs
# one more read.
CACHED_JOBS = 256


class UnknownJob(LookupError):
    """A work item names a job whose config was never written."""


def store(pipe: Any, job_id: str, config: JobConfig) -> None:
    """Adds the write to `pipe`, the transaction that publishes the job's first events."""
    pipe.set(job_config_key(job_id), config.model_dump_json())


class JobConfigs:
    """Reads configs from Redis and caches them; many items of one job cost one read."""

    def __init__(self, redis: Redis, size: int = CACHED_JOBS) -> None:
        self._redis, self._size = redis, size
        self._cache: OrderedDict[str, JobConfig] = OrderedDict()

    async def get(self, job_id: str) -> JobConfig:
        found = await self.get_many([job_id])
        if job_id not in found:
            raise UnknownJob(job_id)
        return found[job_id]

    async def get_many(self, job_ids: Iterable[str]) -> dict[str, JobConfig]:
        """The configs of the jobs that have one; a missing job is simply absent."""
        wanted = list(dict.fromkeys(job_ids))
        missing = [job for job in wanted if job not in self._cache]
        if missing:
            raw = await self._redis.mget([job_config_key(job) for job in missing])
            for job, value in zip(missing, raw, strict=True):
                if value is not None:
                    self._remember(job, JobConfig.model_validate_json(value))
        found = {}
        for job in wanted:
            if job in self._cache:
                self._cache.move_to_end(job)
                found[job] = self._cache[job]
        return found

    def _remember(self, job_id: str, config: JobConfig) -> None:
        self._cache[job_id] = config
        while len(self._cache) > self._size:
            self._cache.popitem(last=False)
