"""`/projects/{id}`: a project's details and its jobs, live, with the way to start a new one."""

from __future__ import annotations

from fastapi import FastAPI
from nicegui import ui

from services.gateway.commands import receipts
from services.gateway.container import Gateway
from services.gateway.dashboard import components, theme
from services.gateway.dashboard.frame import frame, missing, section
from services.gateway.queries import views
from services.gateway.queries.job_models import JobStatus, ProjectOut

REFRESH_S = 1.0


async def find_project(gw: Gateway, project_id: str) -> ProjectOut | None:
    """The projected project, else what the command that created it wrote (projector lag);
    says on the page when neither knows it."""
    found = await views.get_project(gw.reader, project_id)
    found = found or await receipts.project(gw.redis, project_id)
    if found is None:
        missing("project")
    return found


def summary(project: ProjectOut, jobs: list[JobStatus]) -> None:
    with ui.row().classes("w-full gap-4 items-stretch df-stats"):
        with ui.column().classes(
            "df-glass df-corners df-panel grow-[3] basis-0 gap-2 min-w-0 df-project-card"
        ):
            ui.label(project.name or project.id).classes("text-2xl font-semibold df-project-name")
            components.text_block(project.description or "no description", "df-muted")
            theme.moment(f"{project.id} · created", project.created_at, "text-xs")
        components.stat_card("Jobs", f"{len(jobs):,}")
        passed = sum(j.stages.inspector.passed for j in jobs)
        components.stat_card("Examples passed", f"{passed:,}")
        components.stat_card("Cost", theme.usd(sum(j.cost_usd for j in jobs)), "df-cost")


def register(app: FastAPI) -> None:
    @ui.page(
        "/projects/{project_id}", title="Project · AI Data Factory", dark=True, response_timeout=10
    )
    async def project_page(project_id: str) -> None:
        gw = components.gateway_of(app)
        with frame("Project", "/projects"):
            project = await find_project(gw, project_id)
            if project is None:
                return
            jobs = await views.list_jobs(gw.reader, project_id=project_id)
            summary(project, jobs)
            with ui.row().classes("w-full items-center"):
                section("Jobs")
                ui.space()
                start = ui.link("", f"/projects/{project_id}/new-job").classes("no-underline")
                with start:
                    ui.button("New job", icon="play_arrow").props("color=primary text-color=black")
            listing = ui.refreshable(components.job_list)
            listing(jobs, "No jobs yet: start one with New job.")

        async def update() -> None:
            nonlocal jobs
            fresh = await views.list_jobs(gw.reader, project_id=project_id)
            if fresh != jobs:
                jobs = fresh
                listing.refresh(fresh, "No jobs yet: start one with New job.")

        ui.timer(REFRESH_S, update)
