"""What routes depend on: the gateway's resources and lookups that wait out projector lag."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar, cast

from fastapi import Depends, HTTPException, Request
from redis.exceptions import RedisError

from services.gateway.commands import receipts
from services.gateway.container import Gateway
from services.gateway.queries import views
from services.gateway.queries.job_models import (
    ExportOut,
    JobStatus,
    ProjectOut,
)

T = TypeVar("T")


def get_gateway(request: Request) -> Gateway:
    return cast(Gateway, request.app.state.gateway)


GatewayDep = Annotated[Gateway, Depends(get_gateway)]


async def _caught_up(gw: Gateway) -> bool:
    try:
        return await gw.projector.caught_up(gw.catch_up_s)
    except RedisError:
        raise HTTPException(status_code=503, detail="the event log is unavailable") from None


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
