"""Project routes: create, list and show projects."""

from __future__ import annotations

from fastapi import APIRouter

from services.gateway.api.deps import GatewayDep, ProjectDep, written_visible
from services.gateway.api.schemas import (
    ProjectIn,
    ProjectOut,
)
from services.gateway.commands import projects as commands
from services.gateway.queries import views
from services.gateway.readmodel.rows import ts

router = APIRouter()


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
