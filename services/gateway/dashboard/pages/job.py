"""`/jobs/{id}`: the pipeline live, cost per stage and tokens, quality, exports, log, cancel."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI
from nicegui import ui

from services.gateway.commands import jobs as job_commands
from services.gateway.container import Gateway
from services.gateway.dashboard import charts, components, forms, job_panels, joblog, theme
from services.gateway.dashboard.frame import frame, missing, section
from services.gateway.dashboard.pipeline import pipeline
from services.gateway.queries import job_figures
from services.gateway.queries.job_models import JobStatus

REFRESH_S = 1.0
# The log is the page's heaviest read (up to joblog.READ entries): at most this often.
LOG_REFRESH_S = 5.0


# Each failure reason (readmodel.failure) as a sentence; the query's detail gives the counts.
FAILURES = {
    "no_pages_fetched": "No page could be fetched.",
    "no_text": "The fetched pages held no text to generate from.",
    "spending_cap_reached": "The job's spending cap was reached.",
    "no_examples": "No examples were generated.",
    "export_failed": "The export failed.",
}


def title_row(job: JobStatus, on_cancel: Callable[[], Awaitable[None]]) -> None:
    with ui.row().classes("w-full items-center gap-x-4 gap-y-2 df-job-head"):
        theme.badge(job.status)
        theme.label(f"stage: {components.stage_text(job)}")
        project = ui.link(job.project_name or job.project_id or "", f"/projects/{job.project_id}")
        project.classes("df-link text-sm truncate max-w-md min-w-0")
        ui.link("results →", f"/jobs/{job.id}/results").classes("df-link df-label df-accent")
        ui.space()
        if components.alive(job):
            cancel = ui.button("Cancel job", on_click=lambda: confirm_cancel(job, on_cancel))
            cancel.props("outline color=warning").classes("df-cancel").mark("cancel-job")
        theme.moment("submitted", job.submitted_at, "text-xs df-muted")
    if job.error is not None:  # a failed job says why, at the stage it failed at
        with ui.column().classes("w-full df-glass df-panel gap-1 df-job-error"):
            ui.label(FAILURES.get(job.error.reason, "The job failed.")).classes("df-bad")
            ui.label(job.error.detail[:1].upper() + job.error.detail[1:] + ".").classes("df-text")
    elif job.status == "cancelled":
        with ui.column().classes("w-full df-glass df-panel gap-1 df-job-cancelled"):
            ui.label("Cancelled: no stage takes new work for this job.").classes("df-cost")
            theme.moment("cancelled", job.cancelled_at, "text-xs df-muted")


def confirm_cancel(job: JobStatus, on_cancel: Callable[[], Awaitable[None]]) -> None:
    """Cancelling cannot be undone: asks first."""
    with forms.dialog() as dialog, ui.card().classes("gap-3 df-confirm-cancel"):
        theme.label("cancel job")
        text = "Stages skip its remaining items; what is done stays. This cannot be undone."
        ui.label(text).classes("df-text")

        async def confirmed() -> None:
            dialog.close()
            await on_cancel()

        with ui.row().classes("w-full justify-end"):
            keep = ui.button("Keep running", on_click=dialog.close).props("flat color=grey-5")
            keep.mark("keep-running")
            stop = ui.button("Cancel job", on_click=confirmed)
            stop.props("color=warning text-color=black").classes("df-cancel-confirm")
            stop.mark("cancel-confirm")
    dialog.open()


class QualityCharts:
    """The donut and the histogram, drawn once and updated in place: rebuilding an ECharts
    element while it draws fails in the browser."""

    def __init__(self, job: JobStatus, histogram: job_figures.Histogram) -> None:
        with ui.row().classes("w-full gap-4 no-wrap items-stretch df-stack"):
            with ui.column().classes("df-glass df-panel w-80 gap-1 df-quality"):
                section("Quality")
                self.donut = ui.echart(self._donut(job)).classes("w-full h-48")
                self.counts = theme.number(self._counts(job), "text-sm self-center")
            with ui.column().classes("df-glass df-panel grow gap-1 min-w-0"):
                section("Score distribution")
                self.bars = ui.echart(self._bars(histogram)).classes("w-full h-56 df-histogram")

    @staticmethod
    def _donut(job: JobStatus) -> dict[str, Any]:
        return charts.quality_donut(job.stages.inspector.passed, job.stages.inspector.rejected)

    @staticmethod
    def _bars(h: job_figures.Histogram) -> dict[str, Any]:
        return charts.score_histogram(h.edges, h.passed, h.rejected)

    @staticmethod
    def _counts(job: JobStatus) -> str:
        inspector = job.stages.inspector
        return f"{inspector.passed:,} passed · {inspector.rejected:,} rejected"

    def show(self, job: JobStatus, histogram: job_figures.Histogram) -> None:
        for chart, options in ((self.donut, self._donut(job)), (self.bars, self._bars(histogram))):
            if chart.options != options:
                chart.options.clear()
                chart.options.update(options)
                chart.update()
        self.counts.set_text(self._counts(job))


class JobView:
    """The page's live parts: built once from the job, refreshed when the read model moves."""

    def __init__(self, gw: Gateway, job: JobStatus) -> None:
        self.gw, self.job = gw, job
        self.head = ui.refreshable(title_row)
        self.live = ui.refreshable(pipeline)
        self.figures = ui.refreshable(job_panels.figures)
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
        self.quality = QualityCharts(job, await job_figures.score_histogram(reader, job.id))
        section("Exports")
        self.exports(job.exports, job.status)
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
            self.quality.show(fresh, await job_figures.score_histogram(self.gw.reader, fresh.id))
        waited = time.monotonic() - self.log_read_at >= LOG_REFRESH_S
        if self.log_stale and (waited or fresh.finished):
            await self.reread()

    def show(self, fresh: JobStatus) -> None:
        shown, self.job, self.log_stale = self.job, fresh, True
        if (fresh.status, fresh.finished, fresh.error) != (
            shown.status,
            shown.finished,
            shown.error,
        ) or components.alive(fresh) != components.alive(shown):
            self.head.refresh(fresh, self.cancel)
        self.live.refresh(fresh)
        self.exports.refresh(fresh.exports, fresh.status)


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
