"""Project routes: create, list, show, update and delete projects."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException

from services.gateway.api.deps import GatewayDep, ProjectDep
from services.gateway.api.problems import problems
from services.gateway.commands import projects as commands
from services.gateway.commands.bodies import ProjectDeletedOut, ProjectIn
from services.gateway.container import written_visible
from services.gateway.queries import views
from services.gateway.queries.job_models import ProjectOut
from services.gateway.readmodel.rows import ts

router = APIRouter()


# Stateful tests and clients follow these from a created project to what reads it.
_PROJECT_LINKS = {
    f"{verb}Project": {
        "operationId": operation,
        "parameters": {"project_id": "$response.body#/id"},
    }
    for verb, operation in (
        ("Get", "get_project_api_projects__project_id__get"),
        ("Update", "update_project_api_projects__project_id__put"),
        ("Delete", "delete_project_api_projects__project_id__delete"),
        ("SubmitJob", "submit_job_api_projects__project_id__jobs_post"),
        ("ListJobs", "list_project_jobs_api_projects__project_id__jobs_get"),
    )
}


@router.post(
    "/api/projects",
    status_code=201,
    responses={201: {"description": "Created", "links": _PROJECT_LINKS}, **problems(422)},
)
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


@router.get("/api/projects/{project_id}", responses=problems(404))
async def get_project(project: ProjectDep) -> ProjectOut:
    return project


@router.put("/api/projects/{project_id}", responses=problems(404, 422))
async def update_project(project: ProjectDep, body: ProjectIn, gw: GatewayDep) -> ProjectOut:
    """Replaces the project's name and description."""
    event, written = await commands.update_project(
        gw.redis, project.id, body.name, body.description
    )
    await written_visible(gw, written)
    return project.model_copy(update={"name": event.name, "description": event.description})


@router.delete(
    "/api/projects/{project_id}",
    responses=problems(404, 409, 422),
)
async def delete_project(
    project: ProjectDep, gw: GatewayDep, cancel_jobs: bool = False
) -> ProjectDeletedOut:
    """Deletes the project; one with pending or running jobs answers 409 unless
    `cancel_jobs` asks for them to be cancelled first. Its jobs and exports stay readable."""
    # Jobs submitted a moment ago count as active only once projected.
    await gw.projector.caught_up(gw.catch_up_s)
    try:
        deletion = await commands.delete_project(
            gw.redis, gw.reader, project.id, cancel_jobs=cancel_jobs
        )
    except commands.ProjectHasActiveJobs as exc:
        detail = {"message": str(exc), "active_jobs": exc.job_ids}
        raise HTTPException(409, detail=detail) from None
    await written_visible(gw, deletion.written)
    return ProjectDeletedOut(
        id=project.id, event_id=deletion.event.event_id, cancelled_jobs=deletion.cancelled
    )
