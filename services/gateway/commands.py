"""Commands: requests become events on the log; the read models follow through the projector.

Each command reports where its entries landed on the log, so that a route can wait for the
projector to pass them, and leaves a receipt that reads fall back to if the projector lags.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis

from services.gateway import receipts
from services.gateway.urls import Rejected, partition
from shared import jobconfig, streams, wire
from shared.config import ExportConfig, JobConfig
from shared.events import (
    Event,
    ExportJob,
    FetchPage,
    ItemFailed,
    JobCancelled,
    JobSubmitted,
    ProjectCreated,
    caused,
)
from shared.ids import derive, new_id
from shared.streams import entry_key

Written = dict[str, str]  # stream -> id of the command's newest entry on it


@dataclass(frozen=True)
class Submission:
    job: JobSubmitted
    rejected: list[Rejected]
    written: Written


class NoValidUrls(ValueError):
    def __init__(self, rejected: list[Rejected]) -> None:
        super().__init__("no valid URL submitted")
        self.rejected = rejected


async def _publish(pipe: Any, entries: list[tuple[str, Event]]) -> Written:
    """Queues the entries last in `pipe`, runs it, and returns where they landed."""
    for stream, event in entries:
        pipe.xadd(stream, {wire.DATA_FIELD: wire.encode(event)})
    replies = (await pipe.execute())[-len(entries) :]
    written: Written = {}
    for (stream, _), reply in zip(entries, replies, strict=True):
        entry_id = reply.decode() if isinstance(reply, bytes) else str(reply)
        if stream not in written or entry_key(entry_id) > entry_key(written[stream]):
            written[stream] = entry_id
    return written


async def create_project(
    redis: Redis, name: str, description: str = ""
) -> tuple[ProjectCreated, Written]:
    project_id = new_id("proj")
    event = ProjectCreated(
        event_id=derive(project_id, "created"),
        job_id="",  # a project is not a job: nothing tallies this event
        project_id=project_id,
        name=name,
        description=description,
    )
    async with redis.pipeline(transaction=True) as pipe:
        receipts.keep_project(pipe, event)
        return event, await _publish(pipe, [(streams.EVENTS, event)])


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
        written = await _publish(pipe, entries)
    return Submission(job, rejected, written)


async def request_export(
    redis: Redis, job_id: str, export: ExportConfig, request_id: str | None = None
) -> tuple[ExportJob, Written]:
    """Asks the shipper for an export. A repeated request id gets the first request's event,
    time included, so the shipper finds its export written instead of writing another."""
    key = request_id or new_id("request")
    event = ExportJob(event_id=derive(job_id, "export-job", key), job_id=job_id, export=export)
    remembered = f"df:gateway:export-request:{event.event_id}"
    async with redis.pipeline(transaction=True) as pipe:
        pipe.set(remembered, event.model_dump_json(), nx=True)
        pipe.get(remembered)
        event = ExportJob.model_validate_json((await pipe.execute())[-1])
    # Published again on a repeat: if the first publish was lost, this one still counts.
    async with redis.pipeline(transaction=True) as pipe:
        return event, await _publish(pipe, [(streams.SHIPPER, event)])


async def cancel_job(
    redis: Redis, job_id: str, reason: str = "cancelled by user"
) -> tuple[JobCancelled, Written]:
    """Stages skip the job's remaining items once it is in the cancelled set."""
    event = JobCancelled(event_id=derive(job_id, "cancelled"), job_id=job_id, reason=reason)
    async with redis.pipeline(transaction=True) as pipe:
        pipe.sadd(streams.CANCELLED_JOBS, job_id)
        return event, await _publish(pipe, [(streams.EVENTS, event)])
