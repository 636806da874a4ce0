"""The job page: per-stage progress, outcome log filterable by kind, quality, cost, exports."""

from __future__ import annotations

from collections import Counter

from nicegui import ui

from services.gateway.api.deps import Gateway
from services.gateway.api.schemas import BatchSaving, Estimate, ExportOut, JobStatus, LogEntry
from services.gateway.dashboard import theme
from services.gateway.queries import estimate as generation
from services.gateway.queries import views
from services.gateway.queries.progress import PROGRESS_STAGES
from shared import totals
from shared.totals import FactoryTotals

REFRESH_S = 1.0
LOG_ROWS = 300


def summary(job: JobStatus) -> None:
    with ui.row().classes("w-full gap-4 no-wrap"):
        for stage in PROGRESS_STAGES:
            progress = getattr(job.stages, stage)
            with ui.column().classes("df-glass px-5 py-4 grow gap-1 df-stage"):
                theme.label(stage)
                theme.number(f"{progress.settled} / {progress.total}", "text-xl df-accent")
                fraction = progress.settled / progress.total if progress.total else 0.0
                ui.linear_progress(value=fraction, show_value=False, size="6px", color=theme.CYAN)
                details = progress.model_dump(exclude={"total", "settled"})
                text = " · ".join(f"{v} {k}" for k, v in details.items() if v)
                theme.number(text or "\u00a0", "text-xs")
        with ui.column().classes("df-glass px-5 py-4 gap-1 w-56"):
            theme.label("cost")
            theme.number(theme.usd(job.cost_usd), "text-xl df-cost")
            tokens = f"{job.prompt_tokens:,} in · {job.completion_tokens:,} out"
            theme.number(tokens, "text-xs")
    if job.projection_failures:  # figures above leave those entries out: say so
        text = f"{job.projection_failures} log entries of this job could not be projected"
        theme.number(text, "text-sm df-projection-failures")


def generation_card(
    llm: FactoryTotals, estimate: Estimate | None, saving: BatchSaving | None = None
) -> None:
    with ui.row().classes("df-glass px-5 py-3 w-full items-center gap-8 df-generation"):
        theme.label("LLM")
        counts = (
            ("calls", llm.calls),
            ("retries", llm.retries),
            ("cache hits", llm.cache_hits),
        )
        theme.number(" · ".join(f"{n} {name}" for name, n in counts), "text-sm")
        if estimate is not None:
            text = f"estimate {theme.usd(estimate.cost_usd)} for {estimate.chunks} chunks"
            theme.number(f"{text} on {estimate.model}", "text-sm df-cost")
        if saving is not None:
            paid, online = theme.usd(saving.paid_usd), theme.usd(saving.online_usd)
            text = f"batch mode: {paid} instead of {online} online"
            theme.number(f"{text}, saved {theme.usd(saving.saved_usd)}", "text-sm df-saving")


async def _generation(
    gateway: Gateway, job: JobStatus
) -> tuple[FactoryTotals, Estimate | None, BatchSaving | None]:
    llm = await totals.read(gateway.redis, job.id)
    estimate = await generation.estimate(gateway.reader, gateway.settings, job.id)
    return llm, estimate, await generation.batch_saving(gateway.reader, gateway.settings, job)


def provider_batches(job: JobStatus) -> None:
    """Chunks whose requests wait in a provider's batch (the factory's batch mode)."""
    for batch in job.provider_batches:
        if batch.waiting:
            text = f"waiting for provider batch {batch.batch_id}: "
            text += f"{batch.waiting} of {batch.chunks} chunks"
            theme.number(text, "text-sm df-glass px-5 py-2 df-batch")


def quality(job: JobStatus) -> None:
    inspector = job.stages.inspector
    judged = inspector.passed + inspector.rejected
    share = inspector.passed / judged if judged else 0.0
    with ui.row().classes("df-glass px-5 py-4 w-full items-center gap-6"):
        ui.circular_progress(value=share, show_value=False, size="56px", color=theme.CYAN)
        with ui.column().classes("gap-0"):
            theme.label("quality control")
            theme.number(f"{inspector.passed} passed · {inspector.rejected} rejected", "text-lg")


def exports(items: list[ExportOut]) -> None:
    for export in items:
        with ui.row().classes("df-glass px-5 py-3 w-full items-center gap-6 df-export"):
            theme.number(export.version, "text-sm df-accent")
            theme.number(f"{export.record_count} examples · {export.format}", "text-sm")
            ui.link("download", export.download_url).classes("df-accent")
            ui.link("dataset card", export.card_url).classes("df-accent")


def log_table(entries: list[LogEntry], kind: str) -> None:
    shown = [e for e in entries if kind == "all" or e.outcome == kind]
    reasons = Counter(f"{e.stage}: {e.reason}" for e in shown)
    theme.number(
        ", ".join(f"{n} x {r}" for r, n in reasons.most_common(8)) or "no entries", "text-xs"
    )
    columns = [
        {"name": key, "label": key, "field": key, "align": "left"}
        for key in ("at", "stage", "outcome", "reason", "url", "detail")
    ]
    rows = [
        e.model_dump(include={"at", "stage", "outcome", "reason", "url", "detail"}) for e in shown
    ]
    ui.table(columns=columns, rows=rows[-LOG_ROWS:], row_key="at").classes("w-full df-glass df-log")


async def render(gateway: Gateway, job_id: str) -> None:
    job = await views.job_status(gateway.reader, job_id)
    theme.header(f"Job {job_id}")
    if job is None:
        ui.label("No such job (yet): the log may still be projecting.").classes(
            "df-glass px-6 py-4"
        )
        return
    with ui.row().classes("items-center gap-4"):
        theme.badge(job.status)
        ui.label(f"stage: {job.stage}").classes("df-label")
        ui.link("← all jobs", "/").classes("df-label")
    live = ui.refreshable(summary)
    live(job)
    llm_box = ui.refreshable(generation_card)
    # The estimate may wait on litellm's price map loading: the timer fills it in.
    llm_box(await totals.read(gateway.redis, job_id), None)
    batch_box = ui.refreshable(provider_batches)
    batch_box(job)
    quality_box = ui.refreshable(quality)
    quality_box(job)
    ui.label("Exports").classes("df-bracket df-label mt-4")
    export_box = ui.refreshable(exports)
    export_box(job.exports)
    ui.label("Log").classes("df-bracket df-label mt-4")
    choices = {"all": "failed + skipped", "failed": "failed", "skipped": "skipped"}
    kind = ui.toggle(choices, value="all").props("flat toggle-color=cyan").classes("df-label")
    entries = [await views.job_logs(gateway.reader, job_id)]
    table = ui.refreshable(log_table)
    table(entries[0], kind.value)
    kind.on_value_change(lambda e: table.refresh(entries[0], e.value))
    shown = [job]

    async def update() -> None:
        fresh = await views.job_status(gateway.reader, job_id)
        llm_box.refresh(*await _generation(gateway, fresh or shown[0]))
        if fresh is None or fresh == shown[0]:
            return
        shown[0] = fresh
        live.refresh(fresh)
        batch_box.refresh(fresh)
        quality_box.refresh(fresh)
        export_box.refresh(fresh.exports)
        entries[0] = await views.job_logs(gateway.reader, job_id)
        table.refresh(entries[0], kind.value)

    ui.timer(REFRESH_S, update)
