"""Project commands: a project created, updated, or deleted (its active jobs cancelled first
on request)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from services.gateway.commands import receipts
from services.gateway.commands.jobs import queue_cancel
from services.gateway.commands.log import Written, publish
from services.gateway.queries import views
from shared.contract import streams
from shared.contract.events import Event, ProjectCreated, ProjectDeleted, ProjectUpdated
from shared.contract.ids import derive, new_id


@dataclass(frozen=True)
class Deletion:
    event: ProjectDeleted
    cancelled: list[str]  # the jobs cancelled with it
    written: Written


E = TypeVar("E", ProjectCreated, ProjectUpdated)


class ProjectHasActiveJobs(ValueError):
    def __init__(self, project_id: str, job_ids: list[str]) -> None:
        super().__init__(
            f"project {project_id} has {len(job_ids)} active jobs; cancel them first "
            "(cancel_jobs=true cancels them and deletes the project)"
        )
        self.job_ids = job_ids


async def _published(redis: Redis, event: E, keep: Callable[[Any, E], None]) -> Written:
    """The event on the log with the receipt `keep` writes, in one transaction."""
    async with redis.pipeline(transaction=True) as pipe:
        keep(pipe, event)
        return await publish(pipe, [(streams.EVENTS, event)])


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
    return event, await _published(redis, event, receipts.keep_project)


async def update_project(
    redis: Redis, project_id: str, name: str, description: str = ""
) -> tuple[ProjectUpdated, Written]:
    fields = {"project_id": project_id, "name": name, "description": description}
    event = ProjectUpdated(event_id=new_id("projupd"), job_id="", **fields)
    return event, await _published(redis, event, receipts.update_project)


async def delete_project(
    redis: Redis, reader: AsyncEngine, project_id: str, *, cancel_jobs: bool = False
) -> Deletion:
    """Deletes the project; its pending and running jobs (as projected) are cancelled in the
    same transaction if `cancel_jobs`, else they refuse the deletion."""
    active = await views.active_job_ids(reader, project_id)
    if active and not cancel_jobs:
        raise ProjectHasActiveJobs(project_id, active)
    event = ProjectDeleted(event_id=derive(project_id, "deleted"), job_id="", project_id=project_id)
    async with redis.pipeline(transaction=True) as pipe:
        entries: list[tuple[str, Event]] = [
            (streams.EVENTS, queue_cancel(pipe, job_id, "project deleted")) for job_id in active
        ]
        receipts.forget_project(pipe, project_id)
        written = await publish(pipe, [*entries, (streams.EVENTS, event)])
    return Deletion(event, active, written)
