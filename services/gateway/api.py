"""REST and SSE routes. Writes go to the log through commands; reads come from views."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Response
from fastapi.sse import EventSourceResponse, ServerSentEvent

from services.gateway import admission, commands, generation, views
from services.gateway.deps import GatewayDep, JobDep, ProjectDep, written_visible
from services.gateway.rows import ts
from services.gateway.schemas import (
    CancelAccepted,
    ExportOut,
    Health,
    JobAccepted,
    JobDetail,
    JobRequest,
    JobStatus,
    LogEntry,
    Overview,
    ProjectIn,
    ProjectOut,
    RejectedUrl,
)
from services.gateway.templates_api import check_generation
from shared import totals

router = APIRouter()

# An SSE stream re-reads the job at least this often, even without projector activity.
STREAM_POLL_S = 5.0
# Entries one /logs request may return; SQLite reads a negative LIMIT as none at all.
MAX_LOG_ENTRIES = 10_000


@router.get("/health")
async def health(gw: GatewayDep, response: Response) -> Health:
    redis_ok, failures = await asyncio.gather(
        gw.redis.ping(), views.projection_failures(gw.reader), return_exceptions=True
    )
    redis_ok, db_ok = redis_ok is True, isinstance(failures, int)
    if not (redis_ok and db_ok):
        response.status_code = 503
    return Health(
        status="ok" if redis_ok and db_ok else "degraded",
        redis=redis_ok,
        database=db_ok,
        projector=gw.projector.positions,
        projection_failures=failures if isinstance(failures, int) else 0,
    )


@router.post("/api/projects", status_code=201)
async def create_project(body: ProjectIn, gw: GatewayDep) -> ProjectOut:
    event, written = await commands.create_project(gw.redis, body.name, body.description)
    await written_visible(gw, written)
    return ProjectOut(
        id=event.project_id,
        name=event.name,
        description=event.description,
        created_at=ts(event.at),
    )


@router.get("/api/projects")
async def list_projects(gw: GatewayDep) -> list[ProjectOut]:
    return await views.list_projects(gw.reader)


@router.get("/api/projects/{project_id}")
async def get_project(project: ProjectDep) -> ProjectOut:
    return project


@router.post("/api/projects/{project_id}/jobs", status_code=202)
async def submit_job(project: ProjectDep, body: JobRequest, gw: GatewayDep) -> JobAccepted:
    check_generation(body.config.generation)
    await admission.check_models(body.config, gw.settings)
    config = admission.with_spending_cap(body.config, gw.settings)
    try:
        submission = await commands.submit_job(gw.redis, project.id, body.urls, config)
    except commands.NoValidUrls as exc:
        rejected = [{"url": r.url, "reason": r.reason} for r in exc.rejected]
        raise HTTPException(422, detail={"message": str(exc), "rejected": rejected}) from None
    await written_visible(gw, submission.written)
    return JobAccepted(
        job_id=submission.job.job_id,
        project_id=project.id,
        accepted=submission.job.urls,
        rejected=[RejectedUrl(url=r.url, reason=r.reason) for r in submission.rejected],
        config=submission.job.config,
    )


@router.get("/api/projects/{project_id}/jobs")
async def list_project_jobs(project: ProjectDep, gw: GatewayDep) -> list[JobStatus]:
    return await views.list_jobs(gw.reader, project_id=project.id)


@router.get("/api/jobs/{job_id}")
async def get_job(job: JobDep, gw: GatewayDep) -> JobDetail:
    llm = await totals.read(gw.redis, job.id)
    estimate = await generation.estimate(gw.reader, gw.settings, job.id)
    saving = await generation.batch_saving(gw.reader, gw.settings, job)
    return JobDetail(**job.model_dump(), llm=llm, estimate=estimate, batch_saving=saving)


@router.post("/api/jobs/{job_id}/cancel", status_code=202)
async def cancel_job(job: JobDep, gw: GatewayDep) -> CancelAccepted:
    if job.finished:
        raise HTTPException(409, detail=f"job {job.id} is already {job.status}")
    event, written = await commands.cancel_job(gw.redis, job.id)
    await written_visible(gw, written)
    return CancelAccepted(job_id=job.id, event_id=event.event_id, reason=event.reason)


@router.get("/api/jobs/{job_id}/logs")
async def job_logs(
    job: JobDep,
    gw: GatewayDep,
    include_ok: bool = False,
    limit: Annotated[int, Query(ge=1, le=MAX_LOG_ENTRIES)] = 1000,
) -> list[LogEntry]:
    return await views.job_logs(gw.reader, job.id, include_ok=include_ok, limit=limit)


@router.get("/api/jobs/{job_id}/exports")
async def job_exports(job: JobDep, gw: GatewayDep) -> list[ExportOut]:
    return await views.job_exports(gw.reader, job.id)


@router.get("/api/jobs/{job_id}/stream", response_class=EventSourceResponse)
async def stream_job(job: JobDep, gw: GatewayDep) -> AsyncIterator[ServerSentEvent]:
    """The job's status each time it changes; the stream ends once the job has completed.

    It starts from the job as found, which may come from its receipt before it is projected."""
    status, last = job, None
    while True:
        if status != last:
            yield ServerSentEvent(data=status, event="status")
            last = status
        if status.finished:
            return
        await gw.projector.wait_for_change(STREAM_POLL_S)
        status = await views.job_status(gw.reader, job.id) or status


@router.get("/api/stats/overview")
async def stats_overview(gw: GatewayDep) -> Overview:
    return await views.overview(gw.reader)
