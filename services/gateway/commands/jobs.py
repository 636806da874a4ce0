"""Job commands: a job submitted with its work items, a job cancelled."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis

from services.gateway.commands import receipts
from services.gateway.commands.log import Written, publish
from shared.contract import jobconfig, streams
from shared.contract.config import JobConfig
from shared.contract.events import (
    Event,
    FetchPage,
    ItemFailed,
    JobCancelled,
    JobSubmitted,
    caused,
)
from shared.contract.ids import derive, new_id
from shared.contract.urls import Rejected, partition


@dataclass(frozen=True)
class Submission:
    job: JobSubmitted
    rejected: list[Rejected]
    written: Written


class NoValidUrls(ValueError):
    def __init__(self, rejected: list[Rejected]) -> None:
        super().__init__("no valid URL submitted")
        self.rejected = rejected


def _invalid(job: JobSubmitted, index: int, rejected: Rejected) -> ItemFailed:
    """Untallied: an invalid URL never becomes a work item."""
    return caused(
        job,
        ItemFailed,
        "invalid",
        index,
        stage="gateway",
        item_id=derive(job.job_id, "url", index),
        reason="invalid_url",
        detail=rejected.reason,
        url=rejected.url[:2048],
    )


def _fetch(job: JobSubmitted, url: str) -> FetchPage:
    # Not `caused`: the id must equal the one the spider gives a link it discovers to this URL.
    return FetchPage(
        event_id=derive(job.job_id, "fetch", url),
        job_id=job.job_id,
        caused_by=job.event_id,
        project_id=job.project_id,
        url=url,
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
    entries: list[tuple[str, Event]] = [(streams.EVENTS, job)]
    entries += [(streams.EVENTS, _invalid(job, i, r)) for i, r in enumerate(rejected)]
    entries += [(streams.SPIDER, _fetch(job, url)) for url in valid]
    async with redis.pipeline(transaction=True) as pipe:
        # The tally and config exist before any work item, so no stage sees a job without them.
        pipe.hset(streams.tally_key(job_id), "outstanding", len(valid))
        jobconfig.store(pipe, job_id, config)
        receipts.keep_job(pipe, job)
        written = await publish(pipe, entries)
    return Submission(job, rejected, written)


def queue_cancel(pipe: Any, job_id: str, reason: str) -> JobCancelled:
    """Queues the job's cancellation in `pipe`; stages skip the job's remaining items once it
    is in the cancelled set. Returns the event to publish in the same transaction."""
    pipe.sadd(streams.CANCELLED_JOBS, job_id)
    return JobCancelled(event_id=derive(job_id, "cancelled"), job_id=job_id, reason=reason)


async def cancel_job(
    redis: Redis, job_id: str, reason: str = "cancelled by user"
) -> tuple[JobCancelled, Written]:
    async with redis.pipeline(transaction=True) as pipe:
        event = queue_cancel(pipe, job_id, reason)
        return event, await publish(pipe, [(streams.EVENTS, event)])
