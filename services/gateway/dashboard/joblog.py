"""A job's live log, filterable by level (that level and above) and stage; newest first."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from nicegui import ui

from services.gateway.container import Gateway
from services.gateway.dashboard import theme
from services.gateway.queries import views
from services.gateway.queries.job_models import LogEntry
from shared.contract.streams import STAGES

ROWS = 300
READ = 10_000  # entries read a refresh; the table shows the newest ROWS of them
LEVELS = {"info": "all", "warning": "warnings", "error": "errors"}  # each: that level and above
COLUMNS = ("at", "level", "stage", "outcome", "reason", "url", "detail")


@dataclass
class LogFilter:
    level: str = "info"
    stage: str = "all"

    async def read(self, gw: Gateway, job_id: str) -> list[LogEntry]:
        stage = None if self.stage == "all" else self.stage
        return await views.job_logs(gw.reader, job_id, limit=READ, level=self.level, stage=stage)


def stage_choices() -> dict[str, str]:
    return {"all": "all stages", "gateway": "gateway"} | {s: s for s in STAGES}


def log_table(entries: list[LogEntry]) -> None:
    reasons = Counter(f"{e.stage}: {e.reason}" for e in entries if e.reason)
    summary = ", ".join(f"{n} x {r}" for r, n in reasons.most_common(8))
    # The count says what the table holds: the newest ROWS of the entries read.
    counted = theme.plural(len(entries), "entry", "entries")
    if len(entries) > ROWS:
        counted += f", the newest {ROWS:,} listed"
    theme.number(" · ".join(filter(None, [counted, summary])), "text-xs df-muted df-log-count")
    # Newest first, times of day only: the date is the job's.
    rows = [
        e.model_dump(include={*COLUMNS, "event_id"}) | {"at": (e.at or "")[11:23]}
        for e in reversed(entries[-ROWS:])
    ]
    columns = [{"name": k, "label": k, "field": k, "align": "left"} for k in COLUMNS]
    # Quasar renders table cells as text: a scraped detail never becomes markup.
    table = ui.table(columns=columns, rows=rows, row_key="event_id", pagination=25)
    table.classes("w-full df-glass df-log").props("dense flat")


def log_filters(chosen: LogFilter, on_change: Callable[[], Any]) -> None:
    with ui.row().classes("items-center gap-4"):
        level = ui.toggle(LEVELS, value=chosen.level).props(
            "flat dense toggle-color=primary no-caps"
        )
        level.classes("df-log-level")
        stage = ui.select(stage_choices(), value=chosen.stage).props("dense outlined dark")
        stage.classes("w-44 df-log-stage")
        level.bind_value(chosen, "level")
        stage.bind_value(chosen, "stage")
        level.on_value_change(on_change)
        stage.on_value_change(on_change)
