"""`/jobs/{id}`: the pipeline live, cost per stage and tokens, quality, exports, log, cancel."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from fastapi import FastAPI
from nicegui import ui

from services.gateway.commands import jobs as job_commands
from services.gateway.container import Gateway
from services.gateway.dashboard import charts, components, job_panels, joblog, theme
from services.gateway.dashboard.frame import frame, missing, section
from services.gateway.dashboard.pipeline import pipeline
from services.gateway.queries import job_figures
from services.gateway.queries.job_models import JobStatus

REFRESH_S = 1.0
# The log is the page's heaviest read (up to joblog.READ entries): at most this often.
LOG_REFRESH_S = 5.0


def title_row(job: JobStatus, on_cancel: Callable[[], Awaitable[None]]) -> None:
    with ui.row().classes("w-full items-center gap-4"):
        theme.badge(job.status)
        theme.label(f"stage: {job.stage}")
        project = ui.link(job.project_name or job.project_id or "", f"/projects/{job.project_id}")
        project.classes("df-link text-sm truncate max-w-md")
        ui.link("results →", f"/jobs/{job.id}/results").classes("df-link df-label df-accent")
        ui.space()
        if not job.finished:
            ui.button("Cancel job", on_click=on_cancel).props("outline color=orange")
        theme.number(f"submitted {job.submitted_at or '—'}", "text-xs df-muted")
    if job.error is not None:  # a failed job says why, at the stage it failed at
        with ui.row().classes("w-full df-glass df-panel gap-3 items-center df-job-error"):
            theme.label(job.error.reason, "df-bad")
            ui.label(job.error.detail).classes("df-text")


def quality_charts(job: JobStatus, histogram: job_figures.Histogram) -> None:
    inspector = job.stages.inspector
    with ui.row().classes("w-full gap-4 no-wrap items-stretch"):
        with ui.column().classes("df-glass df-panel w-80 gap-1 df-quality"):
            section("Quality")
            ui.echart(charts.quality_donut(inspector.passed, inspector.rejected)).classes(
                "w-full h-48"
            )
            text = f"{inspector.passed:,} passed · {inspector.rejected:,} rejected"
            theme.number(text, "text-sm self-center")
        with ui.column().classes("df-glass df-panel grow gap-1"):
            section("Score distribution")
            options = charts.score_histogram(histogram.edges, histogram.passed, histogram.rejected)
            ui.echart(options).classes("w-full h-56 df-histogram")


class JobView:
    """The page's live parts: built once from the job, refreshed when the read model moves."""

    def __init__(self, gw: Gateway, job: JobStatus) -> None:
        self.gw, self.job = gw, job
        self.head = ui.refreshable(title_row)
        self.live = ui.refreshable(pipeline)
        self.figures = ui.refreshable(job_panels.figures)
        self.quality = ui.refreshable(quality_charts)
        self.exports = ui.refreshable(job_panels.exports)
        self.table = ui.refreshable(joblog.log_table)
        self.chosen = joblog.LogFilter()
        self.shown_figures: job_panels.Figures | None = None
        self.log_read_at, self.log_stale = time.monotonic(), False

    async def cancel(self) -> None:
        await job_commands.cancel_job(self.gw.redis, self.job.id)
        ui.notify("Cancel requested: stages skip the job's remaining items.", type="warning")

    async def build(self) -> None:
        job, reader = self.job, self.gw.reader
        self.head(job, self.cancel)
        self.live(job)
        # The first render leaves the estimate out so the page appears at once; the timer adds it.
        self.shown_figures = await job_panels.load(self.gw, job, with_estimate=False)
        self.figures(self.shown_figures)
        self.quality(job, await job_figures.score_histogram(reader, job.id))
        section("Exports")
        self.exports(job.exports)
        section("Log")
        joblog.log_filters(self.chosen, self.reread)
        self.table(await self.chosen.read(self.gw, job.id))

    async def reread(self) -> None:
        self.log_read_at, self.log_stale = time.monotonic(), False
        self.table.refresh(await self.chosen.read(self.gw, self.job.id))

    async def update(self) -> None:
        fresh = await self.gw.job_status(self.job.id) or self.job
        figures = await job_panels.load(self.gw, fresh)
        if figures != self.shown_figures:
            self.figures.refresh(figures)
            self.shown_figures = figures
        if fresh != self.job:
            self.show(fresh)
            self.quality.refresh(fresh, await job_figures.score_histogram(self.gw.reader, fresh.id))
        waited = time.monotonic() - self.log_read_at >= LOG_REFRESH_S
        if self.log_stale and (waited or fresh.finished):
            await self.reread()

    def show(self, fresh: JobStatus) -> None:
        shown, self.job, self.log_stale = self.job, fresh, True
        if (fresh.status, fresh.finished, fresh.error) != (
            shown.status,
            shown.finished,
            shown.error,
        ):
            self.head.refresh(fresh, self.cancel)
        self.live.refresh(fresh)
        self.exports.refresh(fresh.exports)


def register(app: FastAPI) -> None:
    @ui.page("/jobs/{job_id}", title="Job · AI Data Factory", dark=True, response_timeout=10)
    async def job_page(job_id: str) -> None:
        gw = components.gateway_of(app)
        with frame(f"Job {job_id}"):
            job = await gw.job_status(job_id)
            if job is None:
                missing("job")
                return
            view = JobView(gw, job)
            await view.build()
        ui.timer(REFRESH_S, view.update)
