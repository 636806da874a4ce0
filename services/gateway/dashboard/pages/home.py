"""`/`: stat cards, active jobs with live per-stage bars, recent exports, 7-day cost chart."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import FastAPI
from nicegui import ui

from services.gateway.container import Gateway
from services.gateway.dashboard import charts, components, theme
from services.gateway.dashboard.frame import frame, section
from services.gateway.queries import costs, views
from services.gateway.queries.exports import ExportListing, export_ids, list_exports
from services.gateway.queries.job_models import JobStatus
from services.gateway.queries.stat_models import CostStats, Overview

NAV = ("Home", "/", 10)
REFRESH_S = 1.0
JOBS_SHOWN = 50
EXPORTS_SHOWN = 6


@dataclass(frozen=True)
class Snapshot:
    overview: Overview
    active: list[JobStatus]
    recent: list[JobStatus]
    exports: list[ExportListing]


async def snapshot(gw: Gateway, shown: Snapshot | None = None) -> Snapshot:
    """The page's figures; the exports shown before are kept while their ids are the same,
    so blob storage is asked for sizes only when an export is new."""
    overview = await views.overview(gw.reader)
    jobs = await views.list_jobs(gw.reader, limit=JOBS_SHOWN)
    # A cancelled or failed job is over even before its last items settle.
    active = [j for j in jobs if components.alive(j)]
    recent = [j for j in jobs if not components.alive(j)][:5]
    ids = await export_ids(gw.reader, limit=EXPORTS_SHOWN)
    if shown is not None and ids == [e.export.id for e in shown.exports]:
        return Snapshot(overview, active, recent, shown.exports)
    exports = await list_exports(gw.reader, gw.storage, limit=EXPORTS_SHOWN)
    return Snapshot(overview, active, recent, exports)


def stat_cards(o: Overview) -> None:
    with ui.row().classes("w-full gap-4 df-stats"):
        caption = theme.plural(o.projects, "project")
        components.stat_card("Total jobs", f"{o.jobs:,}", caption=caption)
        components.stat_card("Active jobs", f"{o.active_jobs:,}")
        passed = f"{o.examples_passed:,} / {o.examples:,}"
        components.stat_card("Examples passed", passed, caption="passed / generated")
        components.stat_card("Total cost", theme.usd(o.cost_usd), "df-cost", f"{o.tokens:,} tokens")


def jobs_box(snap: Snapshot) -> None:
    components.job_list(snap.active, "No active jobs. Start one from a project.")
    if snap.recent:
        section("Recently ended")
        components.job_list(snap.recent, "")


def exports_box(listings: list[ExportListing]) -> None:
    if not listings:
        theme.label("no exports yet", "normal-case")
    for item in listings:
        e = item.export
        with ui.row().classes("w-full items-center gap-3 no-wrap df-recent-export"):
            theme.number(e.format, "text-xs df-accent w-14")
            with ui.column().classes("gap-0 grow min-w-0"):
                name = item.project_name or e.job_id
                link = ui.link(name, f"/jobs/{e.job_id}")
                link.classes("text-xs df-link truncate w-full")
                made = f"{theme.plural(e.record_count, 'example')} · {theme.size(item.size_bytes)}"
                theme.moment(made + " ·", e.created_at, "text-xs df-muted")
            if e.record_count:
                ui.link("download", e.download_url).classes("df-link df-label df-accent")
            else:  # an empty dataset is not a result to fetch
                theme.label("empty", "df-bad")


async def cost_chart(gw: Gateway) -> CostStats:
    return await costs.cost_stats(gw.reader, 7, default_model=gw.settings.llm_model)


def register(app: FastAPI) -> None:
    @ui.page("/", title="AI Data Factory", dark=True, response_timeout=10)
    async def home() -> None:
        gw = components.gateway_of(app)
        shown = await snapshot(gw)
        with frame("Dashboard", "/"):
            stats = ui.refreshable(stat_cards)
            stats(shown.overview)
            with ui.row().classes("w-full gap-4 no-wrap items-stretch df-stack"):
                with ui.column().classes("df-glass df-panel grow gap-2 min-w-0"):
                    section("Cost · last 7 days")
                    chart = ui.echart(charts.cost_bars(await cost_chart(gw)))
                    chart.classes("w-full h-56 df-cost-chart")
                with ui.column().classes("df-glass df-panel w-96 gap-3"):
                    section("Recent exports")
                    recent = ui.refreshable(exports_box)
                    recent(shown.exports)
            section("Active jobs")
            jobs = ui.refreshable(jobs_box)
            jobs(shown)

        async def update() -> None:
            nonlocal shown
            fresh = await snapshot(gw, shown)
            if fresh.overview != shown.overview:
                stats.refresh(fresh.overview)
                chart.options.update(charts.cost_bars(await cost_chart(gw)))
                chart.update()
            if (fresh.active, fresh.recent) != (shown.active, shown.recent):
                jobs.refresh(fresh)
            if fresh.exports != shown.exports:
                recent.refresh(fresh.exports)
            shown = fresh

        ui.timer(REFRESH_S, update)
