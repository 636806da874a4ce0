"""Panels of the job page: cost per stage and tokens, LLM calls and estimate, the exports."""

from __future__ import annotations

from dataclasses import dataclass

from nicegui import ui

from services.gateway.container import Gateway
from services.gateway.dashboard import components, theme
from services.gateway.queries import job_figures
from services.gateway.queries.job_models import BatchSaving, Estimate, ExportOut, JobStatus
from shared.ops import totals
from shared.ops.totals import FactoryTotals


@dataclass(frozen=True)
class Figures:
    job: JobStatus
    stages: list[job_figures.StageCost]
    llm: FactoryTotals
    estimate: Estimate | None
    saving: BatchSaving | None


async def load(gw: Gateway, job: JobStatus, with_estimate: bool = True) -> Figures:
    """`with_estimate=False` for a first render that must not wait on the price map."""
    stages = await job_figures.stage_costs(gw.reader, job.id)
    llm = await totals.read(gw.redis, job.id)
    if not with_estimate:
        return Figures(job, stages, llm, None, None)
    estimate, saving = await gw.job_costs(job)
    return Figures(job, stages, llm, estimate, saving)


def figures(f: Figures) -> None:
    with ui.row().classes("w-full gap-4 no-wrap items-stretch df-stack"):
        with ui.column().classes("df-glass df-panel grow gap-2 df-costs min-w-0"):
            theme.label("cost per stage")
            with ui.row().classes("gap-x-8 gap-y-3 items-end"):
                for stage in f.stages or [job_figures.StageCost("factory", 0.0, 0, 0)]:
                    with ui.column().classes("gap-0"):
                        theme.label(stage.stage)
                        theme.number(theme.usd(stage.cost_usd), "text-xl df-cost")
                        tokens = f"{stage.prompt_tokens:,} in · {stage.completion_tokens:,} out"
                        theme.number(tokens, "text-xs df-muted")
                with ui.column().classes("gap-0"):
                    theme.label("job total")
                    theme.number(theme.usd(f.job.cost_usd), "text-xl df-cost")
                    theme.number(f"{f.job.tokens:,} tokens", "text-xs df-muted")
        llm_card(f)


def llm_card(f: Figures) -> None:
    with ui.column().classes("df-glass df-panel w-[30rem] gap-1 df-generation"):
        theme.label("LLM")
        counts = (
            ("calls", f.llm.calls),
            ("retries", f.llm.retries),
            ("cache hits", f.llm.cache_hits),
        )
        theme.number(" · ".join(f"{n:,} {name}" for name, n in counts), "text-sm")
        if f.estimate is not None:
            estimate_lines(f.estimate, f.job.cost_usd)
        if f.saving is not None:
            paid, online = theme.usd(f.saving.paid_usd), theme.usd(f.saving.online_usd)
            text = f"batch mode: {paid} instead of {online} online"
            theme.number(f"{text}, saved {theme.usd(f.saving.saved_usd)}", "text-sm df-saving")
        for batch in f.job.provider_batches:
            if batch.waiting:
                text = f"waiting for provider batch {batch.batch_id}: "
                theme.number(f"{text}{batch.waiting} of {batch.chunks} chunks", "text-xs df-batch")
        if f.job.projection_failures:  # the figures leave those entries out: say so
            text = f"{f.job.projection_failures} log entries of this job could not be projected"
            theme.number(text, "text-xs df-bad df-projection-failures")


def estimate_lines(e: Estimate, spent_usd: float) -> None:
    """The estimate against what the job has spent, and the chunks the page cap left out."""
    text = f"estimate {theme.usd(e.cost_usd)} for {e.chunks:,} chunks made"
    theme.number(f"{text} on {e.model}", "text-sm df-cost")
    sized = f"{e.pages_sized:,} pages' sizes" + (
        f", {e.pages_to_fetch:,} pages to fetch" if e.pages_to_fetch else ""
    )
    text = f"estimate up to {theme.usd(e.top_usd)} ({sized}) · actual {theme.usd(spent_usd)}"
    theme.number(text, "text-sm df-cost df-estimate-actual")
    if e.chunks_over_cap:
        text = f"{e.chunks_over_cap:,} chunks over the per-page cap were not used"
        theme.number(text, "text-xs df-muted df-over-cap")


def exports(items: list[ExportOut], status: str = "running") -> None:
    if not items:
        text = (
            f"no export: the job {status}"
            if status in ("failed", "cancelled")
            else "no export yet: the shipper writes one when the job completes"
        )
        theme.label(text, "normal-case df-no-export")
    for export in items:
        with ui.row().classes("df-glass px-5 py-3 w-full items-center gap-x-6 gap-y-2 df-export"):
            theme.number(export.version, "text-sm df-accent")
            made = f"{theme.plural(export.record_count, 'example')} · {export.format}"
            theme.number(made, "text-sm" if export.record_count else "text-sm df-bad")
            theme.moment("written", export.created_at, "text-xs df-muted")
            components.export_links(export)
