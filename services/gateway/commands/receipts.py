"""What a command wrote, kept in Redis beside its events, for reads the projector has not served.

A created project or job is readable at once even when the projector lags or its projection
failed: the read model is preferred, the receipt is the fallback. Receipts are written in the
same MULTI as the events, so one exists exactly when the events do.
"""

from __future__ import annotations

from typing import Any

from redis.asyncio import Redis

from services.gateway.queries.job_models import JobStatus, ProjectOut
from services.gateway.queries.progress import JobCounts, current_stage, stages_of
from services.gateway.readmodel.rows import ts
from shared.contract.events import JobSubmitted, ProjectCreated, ProjectUpdated


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _key(kind: str, key: str) -> str:
    return f"df:gateway:{kind}:{key}"


def keep_project(pipe: Any, event: ProjectCreated) -> None:
    fields = {"name": event.name, "description": event.description, "created_at": ts(event.at)}
    pipe.hset(_key("project", event.project_id), mapping=fields)


def update_project(pipe: Any, event: ProjectUpdated) -> None:
    fields = {"name": event.name, "description": event.description}
    pipe.hset(_key("project", event.project_id), mapping=fields)


def forget_project(pipe: Any, project_id: str) -> None:
    pipe.delete(_key("project", project_id))


def keep_job(pipe: Any, job: JobSubmitted) -> None:
    fields = {"project_id": job.project_id, "url_count": len(job.urls)}
    pipe.hset(_key("job", job.job_id), mapping=fields | {"submitted_at": ts(job.at)})


async def _fields(redis: Redis, kind: str, key: str) -> dict[str, str]:
    raw = await redis.hgetall(_key(kind, key))
    return {_text(k): _text(v) for k, v in raw.items()}


async def project(redis: Redis, project_id: str) -> ProjectOut | None:
    found = await _fields(redis, "project", project_id)
    if not found:
        return None
    # A project from before receipts has only what later updates wrote.
    return ProjectOut(
        id=project_id,
        name=found.get("name"),
        description=found.get("description"),
        created_at=found.get("created_at"),
    )


async def job(redis: Redis, job_id: str) -> JobStatus | None:
    """The job as submitted: pending, nothing counted yet."""
    found = await _fields(redis, "job", job_id)
    if not found:
        return None
    owner = await _fields(redis, "project", found["project_id"])
    stages = stages_of(JobCounts(url_count=int(found["url_count"])))
    return JobStatus(
        id=job_id,
        project_id=found["project_id"],
        project_name=owner.get("name"),
        status="pending",
        stage=current_stage(stages, finished=False, exported=False),
        finished=False,
        url_count=int(found["url_count"]),
        invalid_urls=0,
        submitted_at=found["submitted_at"],
        started_at=None,
        completed_at=None,
        cancelled_at=None,
        stages=stages,
        cost_usd=0.0,
        prompt_tokens=0,
        completion_tokens=0,
        tokens=0,
        exports=[],
    )
