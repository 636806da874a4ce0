"""What routes depend on: the gateway's resources and lookups that wait out projector lag."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import cached_property, partial
from typing import Annotated, TypeVar, cast

from fastapi import Depends, HTTPException, Request
from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy.ext.asyncio import AsyncEngine

from services.gateway.api.schemas import BatchSaving, Estimate, ExportOut, JobStatus, ProjectOut
from services.gateway.commands import receipts
from services.gateway.queries import job_estimate, views
from services.gateway.queries.cache import JobReads
from services.gateway.readmodel.projector import Projector
from shared.settings import Settings
from shared.storage.blobs import Storage

T = TypeVar("T")


@dataclass(frozen=True)
class Gateway:
    settings: Settings
    redis: Redis
    reader: AsyncEngine
    projector: Projector
    # How long a lookup of an unknown id waits for the projector to reach the stream tips:
    # a project or job created a moment ago through the log may not be projected yet.
    catch_up_s: float = 3.0
    # How long a command's route waits for the projector to apply what the command wrote.
    write_visible_s: float = 5.0

    @cached_property
    def reads(self) -> JobReads:
        """A job's status and costs as last read, until the projector changes the job."""
        return JobReads(self.projector)

    async def job_status(self, job_id: str) -> JobStatus | None:
        """The job's status, read again only once the projector changed the job."""
        return await self.reads.read(
            "status", job_id, partial(views.job_status, self.reader, job_id)
        )

    async def job_costs(self, job: JobStatus) -> tuple[Estimate | None, BatchSaving | None]:
        """The job's cost estimate and batch saving, read again only once the job changed."""
        load = partial(job_estimate.job_costs, self.reader, self.settings, job)
        return await self.reads.read("costs", job.id, load)

    @cached_property
    def storage(self) -> Storage:
        """Blob storage, built on first use; its client's connections serve every request."""
        return Storage.from_settings(self.settings)


def get_gateway(request: Request) -> Gateway:
    return cast(Gateway, request.app.state.gateway)


GatewayDep = Annotated[Gateway, Depends(get_gateway)]


async def _caught_up(gw: Gateway) -> bool:
    try:
        return await gw.projector.caught_up(gw.catch_up_s)
    except RedisError:
        raise HTTPException(status_code=503, detail="the event log is unavailable") from None


async def written_visible(gw: Gateway, written: dict[str, str]) -> None:
    """Returns once a command's entries are projected, or after `write_visible_s`: reads of
    what it created then fall back to its receipt, so either way they never 404."""
    await gw.projector.passed(written, gw.write_visible_s)


Lookup = Callable[[], Awaitable[T | None]]


async def _none() -> None:
    return None


async def find(
    gw: Gateway, lookup: Lookup[T], what: str, key: str, receipt: Lookup[T] = _none
) -> T:
    """The row, once the projector has applied everything on the log, else what the command
    that created it wrote; 404 if neither knows the id."""
    found = await lookup()
    if found is None and await _caught_up(gw):
        found = await lookup()
    if found is None:
        found = await receipt()
    if found is None:
        raise HTTPException(status_code=404, detail=f"{what} {key} not found")
    return found


async def existing_project(project_id: str, gw: GatewayDep) -> ProjectOut:
    return await find(
        gw,
        lambda: views.get_project(gw.reader, project_id),
        "project",
        project_id,
        receipt=lambda: receipts.project(gw.redis, project_id),
    )


async def existing_job(job_id: str, gw: GatewayDep) -> JobStatus:
    return await find(
        gw,
        lambda: gw.job_status(job_id),
        "job",
        job_id,
        receipt=lambda: receipts.job(gw.redis, job_id),
    )


async def existing_export(export_id: str, gw: GatewayDep) -> ExportOut:
    return await find(gw, lambda: views.get_export(gw.reader, export_id), "export", export_id)


ProjectDep = Annotated[ProjectOut, Depends(existing_project)]
JobDep = Annotated[JobStatus, Depends(existing_job)]
ExportDep = Annotated[ExportOut, Depends(existing_export)]
