"""The new-job form's cost estimate (pages -> chunks -> tokens -> dollars, as a range) and
the URLs it would refuse, each with its reason."""

from __future__ import annotations

from nicegui import ui

from services.gateway.dashboard import theme
from services.gateway.queries.job_models import RejectedUrl, Span, SubmissionEstimate


def _span(span: Span) -> str:
    return f"{span.low:,}" if span.low == span.high else f"{span.low:,} to {span.high:,}"


def _step(title: str, value: str, tone: str = "df-accent") -> None:
    with ui.column().classes("gap-0"):
        theme.label(title)
        theme.number(value, "text-lg", tone)


def estimate(found: SubmissionEstimate | None, problem: str = "") -> None:
    with ui.column().classes("w-full gap-2 df-estimate"):
        theme.label("estimate before start")
        if problem:
            ui.label(problem).classes("df-text df-bad text-xs df-estimate-problem")
            return
        if found is None:
            ui.label("Paste URLs to see what the job would cost.").classes("df-muted text-sm")
            return
        cost = found.cost_usd
        money = (
            theme.usd(cost.low)
            if cost.low == cost.high
            else (f"{theme.usd(cost.low)} to {theme.usd(cost.high)}")
        )
        theme.number(
            money if found.priced else "no price known", "text-2xl df-cost df-estimate-cost"
        )
        with ui.grid(columns=2).classes("gap-x-8 gap-y-2"):
            _step("pages", _span(found.pages))
            _step("chunks", _span(found.chunks))
            _step("tokens in", _span(found.prompt_tokens))
            _step("tokens out", _span(found.completion_tokens))
        theme.number(
            f"{found.model} · {found.mode} · cap {theme.usd(found.max_cost_usd)}", "text-xs"
        )
        ui.label(found.basis).classes("df-muted text-xs")
        if found.refusal:
            ui.label(f"would be refused: {found.refusal}").classes(
                "df-text df-bad text-sm df-refusal"
            )


def rejected(urls: list[RejectedUrl]) -> None:
    """Bad URLs with their reasons, shown as text (they are whatever was pasted)."""
    if not urls:
        return
    with ui.column().classes("w-full gap-1 df-glass df-panel df-rejected"):
        theme.label(f"{len(urls)} URL{'s' if len(urls) != 1 else ''} will be left out", "df-cost")
        for bad in urls[:50]:
            with ui.row().classes("w-full gap-3 no-wrap"):
                ui.label(bad.url[:200]).classes("df-num text-xs df-bad truncate max-w-md")
                ui.label(bad.reason).classes("text-xs df-muted")
        if len(urls) > 50:
            theme.label(f"and {len(urls) - 50} more")
