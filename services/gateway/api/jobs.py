"""Job routes: submit, show, cancel, logs, exports and the job's SSE stream."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query
from fastapi.sse import EventSourceResponse, ServerSentEvent

from services.gateway.api.deps import GatewayDep, JobDep, ProjectDep
from services.gateway.api.invalid import MAX_ECHO_CHARS, MAX_QUOTE_CHARS, clipped
from services.gateway.api.problems import problems
from services.gateway.commands import jobs as commands
from services.gateway.commands import submission
from services.gateway.commands.bodies import CancelAccepted, JobAccepted, JobRequest
from services.gateway.container import written_visible
from services.gateway.queries import views
from services.gateway.queries.job_models import (
    ExportOut,
    JobDetail,
    JobStatus,
    LogEntry,
    LogLevel,
)
from shared.ops import totals

router = APIRouter()

# An SSE stream re-reads the job at least this often, even without projector activity.
STREAM_POLL_S = 5.0
# Entries one /logs request may return; SQLite reads a negative LIMIT as none at all.
MAX_LOG_ENTRIES = 10_000


def no_valid_urls(exc: commands.NoValidUrls) -> dict[str, object]:
    """The first rejected URLs, each cut short: the body quotes at most 1 KB of the input."""
    rejected = [
        {"url": clipped(r.url, MAX_QUOTE_CHARS), "reason": clipped(r.reason, MAX_QUOTE_CHARS)}
        for r in exc.rejected[: MAX_ECHO_CHARS // MAX_QUOTE_CHARS - 1]
    ]
    return {"message": f"{exc} ({len(exc.rejected):,} rejected)", "rejected": rejected}


def _job_links() -> dict[str, dict[str, object]]:
    """From a submitted job to what reads it, for clients and stateful tests."""
    reads = {
        "GetJob": "get_job_api_jobs__job_id__get",
        "CancelJob": "cancel_job_api_jobs__job_id__cancel_post",
        "JobLogs": "job_logs_api_jobs__job_id__logs_get",
        "JobExports": "job_exports_api_jobs__job_id__exports_get",
        "JobExamples": "job_examples_api_jobs__job_id__examples_get",
    }
    by_id = {"job_id": "$response.body#/job_id"}
    return {name: {"operationId": op, "parameters": by_id} for name, op in reads.items()}


@router.post(
    "/api/projects/{project_id}/jobs",
    status_code=202,
    responses={202: {"description": "Accepted", "links": _job_links()}, **problems(404, 422)},
)
async def submit_job(project: ProjectDep, body: JobRequest, gw: GatewayDep) -> JobAccepted:
    try:
        return await submission.submit(gw, project.id, body)
    except commands.NoValidUrls as exc:
        raise HTTPException(422, detail=no_valid_urls(exc)) from None


@router.get("/api/projects/{project_id}/jobs", responses=problems(404))
async def list_project_jobs(project: ProjectDep, gw: GatewayDep) -> list[JobStatus]:
    return await views.list_jobs(gw.reader, project_id=project.id)


@router.get("/api/jobs/{job_id}", responses=problems(404))
async def get_job(job: JobDep, gw: GatewayDep) -> JobDetail:
    llm = await totals.read(gw.redis, job.id)
    estimate, saving = await gw.job_costs(job)
    return JobDetail(**job.model_dump(), llm=llm, estimate=estimate, batch_saving=saving)


@router.post("/api/jobs/{job_id}/cancel", status_code=202, responses=problems(404, 409))
async def cancel_job(job: JobDep, gw: GatewayDep) -> CancelAccepted:
    if job.finished:
        raise HTTPException(409, detail=f"job {job.id} is already {job.status}")
    event, written = await commands.cancel_job(gw.redis, job.id)
    await written_visible(gw, written)
    return CancelAccepted(job_id=job.id, event_id=event.event_id, reason=event.reason)


@router.get("/api/jobs/{job_id}/logs", responses=problems(404, 422))
async def job_logs(
    job: JobDep,
    gw: GatewayDep,
    include_ok: bool = False,
    limit: Annotated[int, Query(ge=1, le=MAX_LOG_ENTRIES)] = 1000,
    level: LogLevel | None = None,
    stage: Annotated[str | None, Query(max_length=32)] = None,
) -> list[LogEntry]:
    """The job's item outcomes, oldest first: at `level` or above (default warning; info with
    `include_ok`), of one `stage` if given."""
    return await views.job_logs(
        gw.reader, job.id, include_ok=include_ok, limit=limit, level=level, stage=stage
    )


@router.get("/api/jobs/{job_id}/exports", responses=problems(404))
async def job_exports(job: JobDep, gw: GatewayDep) -> list[ExportOut]:
    return await views.job_exports(gw.reader, job.id)


@router.get(
    "/api/jobs/{job_id}/stream", response_class=EventSourceResponse, responses=problems(404)
)
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
        status = await gw.job_status(job.id) or status
