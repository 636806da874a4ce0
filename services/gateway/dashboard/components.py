"""Building blocks the pages share: stat cards, per-stage bars, job rows, export links, text."""

from __future__ import annotations

from fastapi import FastAPI
from nicegui import ui

from services.gateway.container import Gateway
from services.gateway.dashboard import theme
from services.gateway.queries.job_models import ExportOut, JobStatus
from services.gateway.queries.progress import PROGRESS_STAGES


def gateway_of(app: FastAPI) -> Gateway:
    """The gateway's resources, which its lifespan puts on the app before any page is served."""
    found: Gateway = app.state.gateway
    return found


def stat_card(title: str, value: str, tone: str = "df-accent", caption: str = "") -> None:
    with ui.column().classes(
        "df-glass df-corners df-panel grow basis-0 min-w-[9rem] gap-1 df-stat"
    ):
        theme.label(title)
        theme.number(value, "text-2xl", tone)
        if caption:
            theme.label(caption, "normal-case tracking-normal")


def alive(job: JobStatus) -> bool:
    """Work may still move: a cancelled or failed job never looks alive, finished or not."""
    return job.status in ("pending", "running") and not job.finished


def working(job: JobStatus, stage: str) -> bool:
    """The stage holds items without an outcome while the job is alive; stages run at once."""
    if not alive(job):
        return False
    if stage == "shipper":
        return job.stage == "shipper"
    progress = getattr(job.stages, stage)
    return bool(progress.settled < progress.total)


def job_name(job: JobStatus) -> str:
    """What a person calls the job: its project and when it was submitted."""
    project = job.project_name or job.project_id or "job"
    return f"{project} · {theme.ago(job.submitted_at)}"


def stage_text(job: JobStatus) -> str:
    """Where the job is, or where it stopped."""
    if job.status in ("failed", "cancelled") and job.stage != "done":
        return f"stopped at {job.stage}"
    return job.stage


def stage_fraction(job: JobStatus, stage: str) -> float:
    progress = getattr(job.stages, stage)
    return float(progress.settled / progress.total) if progress.total else 0.0


def stage_bar(job: JobStatus, stage: str) -> None:
    progress = getattr(job.stages, stage)
    active = working(job, stage)
    with ui.column().classes("gap-0 w-36 df-stage-bar" + (" df-running" if active else "")):
        with ui.row().classes("w-full justify-between"):
            theme.label(stage, "df-accent" if active else "")
            theme.number(f"{progress.settled}/{progress.total}", "text-xs")
        ui.linear_progress(value=stage_fraction(job, stage), show_value=False, size="6px").props(
            f"color={'primary' if active else 'light-blue-9'}"
        )
        troubles = [
            f"{n} {kind}"
            for n, kind in ((progress.failed, "failed"), (progress.skipped, "skipped"))
            if n
        ]
        # An empty line keeps the bars of all rows aligned.
        theme.number(" · ".join(troubles) or "\u00a0", "text-xs df-cost whitespace-nowrap")


def job_row(job: JobStatus) -> None:
    with ui.row().classes("w-full items-center gap-6 df-glass px-5 py-3 no-wrap df-job"):
        with ui.column().classes("gap-0 w-56 min-w-0 df-job-name"):
            link = ui.link(job_name(job), f"/jobs/{job.id}")
            link.classes("text-sm df-link truncate w-full").props(f'title="{job.submitted_at}"')
            theme.number(job.id, "text-xs df-muted truncate w-full")
        with ui.column().classes("gap-1 w-28 items-start df-job-state"):
            theme.badge(job.status)
            theme.label(stage_text(job))
        with ui.row().classes("gap-6 no-wrap df-job-stages"):
            for stage in PROGRESS_STAGES:
                stage_bar(job, stage)
        with ui.row().classes("grow gap-6 no-wrap justify-end df-job-figures"):
            with ui.column().classes("gap-0 items-end"):
                theme.label("passed")
                theme.number(f"{job.stages.inspector.passed:,}", "text-lg df-accent")
            with ui.column().classes("gap-0 items-end w-28"):
                theme.label("cost")
                theme.number(theme.usd(job.cost_usd), "text-lg df-cost")


def job_list(jobs: list[JobStatus], empty_text: str) -> None:
    if not jobs:
        with ui.column().classes("df-glass w-full px-6 py-8 items-center"):
            ui.label(empty_text).classes("df-muted")
        return
    with ui.column().classes("w-full gap-3"):
        for job in jobs:
            job_row(job)


def export_links(export: ExportOut) -> None:
    ui.link("download", export.download_url).classes("df-link df-label df-accent")
    ui.link("card", export.card_url, new_tab=True).classes("df-link df-label")


def text_block(text: str, *classes: str) -> ui.label:
    """Scraped or generated text, always as text: a label sets textContent, never HTML."""
    return ui.label(text).classes(" ".join(("df-text", *classes)))
