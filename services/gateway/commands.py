"""Commands: requests become events on the log; the read models follow through the projector."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis

from services.gateway.urls import Rejected, partition
from shared import streams, wire
from shared.config import JobConfig
from shared.events import Event, FetchPage, ItemFailed, JobCancelled, JobSubmitted, ProjectCreated
from shared.ids import derive, new_id


@dataclass(frozen=True)
class Submission:
    job: JobSubmitted
    rejected: list[Rejected]


class NoValidUrls(ValueError):
    def __init__(self, rejected: list[Rejected]) -> None:
        super().__init__("no valid URL submitted")
        self.rejected = rejected


def _add(pipe: Any, stream: str, event: Event) -> None:
    pipe.xadd(stream, {wire.DATA_FIELD: wire.encode(event)})


async def create_project(redis: Redis, name: str, description: str = "") -> ProjectCreated:
    project_id = new_id("proj")
    event = ProjectCreated(
        event_id=derive(project_id, "created"),
        job_id="",  # a project is not a job: nothing tallies this event
        project_id=project_id,
        name=name,
        description=description,
    )
    await redis.xadd(streams.EVENTS, {wire.DATA_FIELD: wire.encode(event)})
    return event


def _invalid(job: JobSubmitted, index: int, rejected: Rejected) -> ItemFailed:
    """Untallied: an invalid URL never becomes a work item."""
    return ItemFailed(
        event_id=derive(job.job_id, "invalid", index),
        job_id=job.job_id,
        caused_by=job.event_id,
        stage="gateway",
        item_id=derive(job.job_id, "url", index),
        reason="invalid_url",
        detail=rejected.reason,
        url=rejected.url[:2048],
    )


def _fetch(job: JobSubmitted, url: str) -> FetchPage:
    return FetchPage(
        event_id=derive(job.job_id, "fetch", url),
        job_id=job.job_id,
        caused_by=job.event_id,
        project_id=job.project_id,
        url=url,
        config=job.config,
    )


async def submit_job(
    redis: Redis, project_id: str, urls: list[str], config: JobConfig
) -> Submission:
    """Publishes the job, its invalid URLs and one FetchPage per valid URL atomically."""
    valid, rejected = partition(urls)
    if not valid:
        raise NoValidUrls(rejected)
    job_id = new_id("job")
    job = JobSubmitted(
        event_id=derive(job_id, "submitted"),
        job_id=job_id,
        project_id=project_id,
        urls=valid,
        config=config,
    )
    async with redis.pipeline(transaction=True) as pipe:
        # The tally is set before any work item exists, so no stage can complete the job early.
        pipe.hset(streams.tally_key(job_id), "outstanding", len(valid))
        _add(pipe, streams.EVENTS, job)
        for index, item in enumerate(rejected):
            _add(pipe, streams.EVENTS, _invalid(job, index, item))
        for url in valid:
            _add(pipe, streams.SPIDER, _fetch(job, url))
        await pipe.execute()
    return Submission(job, rejected)


async def cancel_job(redis: Redis, job_id: str, reason: str = "cancelled by user") -> JobCancelled:
    """Stages skip the job's remaining items once it is in the cancelled set."""
    event = JobCancelled(event_id=derive(job_id, "cancelled"), job_id=job_id, reason=reason)
    async with redis.pipeline(transaction=True) as pipe:
        pipe.sadd(streams.CANCELLED_JOBS, job_id)
        _add(pipe, streams.EVENTS, event)
        await pipe.execute()
    return event
