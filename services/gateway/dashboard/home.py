"""The NiceGUI dashboard served by the gateway; pages read the views, nothing else."""

from __future__ import annotations

import secrets

from fastapi import FastAPI
from nicegui import ui

from services.gateway.api.deps import Gateway
from services.gateway.api.schemas import JobStatus, Overview
from services.gateway.dashboard import job as job_page
from services.gateway.dashboard import theme
from services.gateway.queries import views
from services.gateway.queries.progress import PROGRESS_STAGES

REFRESH_S = 1.0
JOBS_SHOWN = 50


def stats_cards(overview: Overview) -> None:
    cards = [
        ("Total jobs", f"{overview.jobs:,}", "df-accent"),
        ("Active jobs", f"{overview.active_jobs:,}", "df-accent"),
        ("Examples passed", f"{overview.examples_passed:,} / {overview.examples:,}", "df-accent"),
        ("Total cost", theme.usd(overview.cost_usd), "df-cost"),
    ]
    with ui.row().classes("w-full gap-4 no-wrap"):
        for title, value, tone in cards:
            with ui.column().classes("df-glass px-5 py-4 grow gap-1 df-stat"):
                theme.label(title)
                theme.number(value, "text-2xl", tone)


def stage_bar(job: JobStatus, stage: str) -> None:
    progress = getattr(job.stages, stage)
    fraction = progress.settled / progress.total if progress.total else 0.0
    active = job.status == "running" and job.stage == stage
    with ui.column().classes("gap-0 w-36" + (" df-running" if active else "")):
        with ui.row().classes("w-full justify-between"):
            ui.label(stage).classes("df-label" + (" df-accent" if active else ""))
            theme.number(f"{progress.settled}/{progress.total}", "text-xs")
        ui.linear_progress(value=fraction, show_value=False, size="6px", color=theme.CYAN)
        troubles = [
            f"{n} {kind}"
            for n, kind in ((progress.failed, "failed"), (progress.skipped, "skipped"))
            if n
        ]
        # An empty line keeps the bars of all rows aligned.
        theme.number(" · ".join(troubles) or "\u00a0", "text-xs df-cost whitespace-nowrap")


def job_row(job: JobStatus) -> None:
    with ui.row().classes("w-full items-center gap-6 df-glass px-5 py-3 no-wrap df-job"):
        with ui.column().classes("gap-0 w-56"):
            ui.link(job.id, f"/jobs/{job.id}").classes("df-num text-sm df-accent no-underline")
            ui.label(job.project_name or job.project_id or "—").classes("text-sm")
        with ui.column().classes("gap-1 w-28 items-start"):
            theme.badge(job.status)
            ui.label(job.stage).classes("df-label")
        for stage in PROGRESS_STAGES:
            stage_bar(job, stage)
        with ui.column().classes("gap-0 items-end grow"):
            theme.label("passed")
            theme.number(f"{job.stages.inspector.passed:,}", "text-lg df-accent")
        with ui.column().classes("gap-0 items-end w-28"):
            theme.label("cost")
            theme.number(theme.usd(job.cost_usd), "text-lg df-cost")


def job_list(jobs: list[JobStatus]) -> None:
    if not jobs:
        with ui.column().classes("df-glass w-full px-6 py-8 items-center"):
            ui.label("No jobs yet: submit URLs with POST /api/projects/{id}/jobs.")
        return
    with ui.column().classes("w-full gap-3"):
        for job in jobs:
            job_row(job)


async def _snapshot(gateway: Gateway) -> tuple[Overview, list[JobStatus]]:
    overview = await views.overview(gateway.reader)
    return overview, await views.list_jobs(gateway.reader, limit=JOBS_SHOWN)


def mount_dashboard(app: FastAPI) -> None:
    """Registers the pages and mounts NiceGUI on `app`; NiceGUI allows this once a process."""
    theme.install()

    @ui.page("/", title="AI Data Factory", dark=True, response_timeout=10)
    async def home() -> None:
        gateway: Gateway = app.state.gateway
        shown = [await _snapshot(gateway)]
        theme.header("Dashboard")
        stats = ui.refreshable(stats_cards)
        stats(shown[0][0])
        ui.label("Jobs").classes("df-bracket df-label mt-4")
        jobs = ui.refreshable(job_list)
        jobs(shown[0][1])

        async def update() -> None:
            fresh = await _snapshot(gateway)
            if fresh[0] != shown[0][0]:
                stats.refresh(fresh[0])
            if fresh[1] != shown[0][1]:
                jobs.refresh(fresh[1])
            shown[0] = fresh

        ui.timer(REFRESH_S, update)

    @ui.page("/jobs/{job_id}", title="Job · AI Data Factory", dark=True, response_timeout=10)
    async def job(job_id: str) -> None:
        await job_page.render(app.state.gateway, job_id)

    # Sessions only carry NiceGUI's per-browser storage, which the dashboard does not keep.
    ui.run_with(
        app,
        title="AI Data Factory",
        dark=True,
        storage_secret=secrets.token_urlsafe(32),
        show_welcome_message=False,
    )
