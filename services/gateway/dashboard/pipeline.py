"""The pipeline as five stages: those working glow, dots flow while items move; a stopped job's
stages stay still, and a stage whose items all failed, or where a job failed, shows red."""

from __future__ import annotations

from nicegui import ui

from services.gateway.dashboard import theme
from services.gateway.dashboard.components import alive, stage_fraction, working
from services.gateway.queries.job_models import JobStatus
from services.gateway.queries.progress import PROGRESS_STAGES
from shared.contract.streams import STAGES

# What each stage's counter counts, by its progress model's fields.
COUNTED = {
    "spider": ("fetched", "pages"),
    "refiner": ("chunks", "chunks"),
    "factory": ("examples", "examples"),
    "inspector": ("passed", "passed"),
}


def unsettled(job: JobStatus, stage: str) -> bool:
    if stage == "shipper":
        return not job.finished
    progress = getattr(job.stages, stage)
    return bool(progress.settled < progress.total)


def moving(job: JobStatus, upstream: str, downstream: str) -> bool:
    """Items flow from `upstream` to `downstream` while the job is alive and either has work."""
    if not alive(job):
        return False
    return unsettled(job, upstream) or unsettled(job, downstream)


def _failed(job: JobStatus, stage: str) -> bool:
    if job.status == "failed" and job.stage == stage:
        return True
    if stage == "shipper":
        return False
    progress = getattr(job.stages, stage)
    return bool(progress.total and progress.failed == progress.total)


def _state(job: JobStatus, stage: str) -> str:
    if _failed(job, stage):
        return "df-failed"
    if working(job, stage):
        return "df-current"
    if job.stage == "done" or (
        stage in PROGRESS_STAGES and stage_fraction(job, stage) >= 1 and not unsettled(job, stage)
    ):
        return "df-done"
    return ""


def _progress_node(job: JobStatus, stage: str) -> None:
    progress = getattr(job.stages, stage)
    field, unit = COUNTED[stage]
    theme.number(f"{progress.settled:,} / {progress.total:,}", "text-xl df-accent")
    bar = ui.linear_progress(value=stage_fraction(job, stage), show_value=False, size="6px")
    bar.props(f"color={'negative' if _failed(job, stage) else 'primary'}")
    details = [f"{getattr(progress, field):,} {unit}"]
    details += [f"{n:,} {kind}" for kind in ("failed", "skipped") if (n := getattr(progress, kind))]
    theme.number(" · ".join(details), "text-xs df-muted")


def _shipper_node(job: JobStatus) -> None:
    records = sum(e.record_count for e in job.exports)
    theme.number(
        f"{len(job.exports)} export" + ("" if len(job.exports) == 1 else "s"), "text-xl df-accent"
    )
    ui.linear_progress(value=1.0 if job.exports else 0.0, show_value=False, size="6px").props(
        "color=primary"
    )
    theme.number(f"{records:,} records", "text-xs df-muted")


def pipeline(job: JobStatus) -> None:
    with ui.element("div").classes("df-pipeline df-pipeline-row"):
        for i, stage in enumerate(STAGES):
            if i:
                flow = "df-moving" if moving(job, STAGES[i - 1], stage) else ""
                ui.element("div").classes(f"df-link-flow {flow}")
            with ui.column().classes(f"df-glass df-node df-stage {_state(job, stage)}"):
                with ui.row().classes("w-full justify-between items-center no-wrap"):
                    busy = working(job, stage)
                    theme.label(f"{i + 1:02d} · {stage}", "df-accent" if busy else "")
                    if busy:
                        ui.element("div").classes("df-live-dot")
                if stage == "shipper":
                    _shipper_node(job)
                else:
                    _progress_node(job, stage)
