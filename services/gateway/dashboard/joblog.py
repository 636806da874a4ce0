"""A job's live log, filterable by level and stage; reasons counted above the rows."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from nicegui import ui

from services.gateway.api.schemas import LogEntry
from services.gateway.dashboard import theme
from shared.streams import STAGES

ROWS = 300
LEVELS = {"all": "all levels", "info": "info", "warning": "warning", "error": "error"}
# An item's outcome read as a log level: a skip is worth a look, a failure lost the item.
OUTCOME_LEVEL = {"ok": "info", "skipped": "warning", "failed": "error"}
COLUMNS = ("at", "level", "stage", "outcome", "reason", "url", "detail")


@dataclass
class LogFilter:
    level: str = "all"
    stage: str = "all"

    def keeps(self, entry: LogEntry) -> bool:
        level = OUTCOME_LEVEL.get(entry.outcome, "info")
        return self.level in ("all", level) and self.stage in ("all", entry.stage)


def stage_choices() -> dict[str, str]:
    return {"all": "all stages", "gateway": "gateway"} | {s: s for s in STAGES}


def log_table(entries: list[LogEntry], chosen: LogFilter) -> None:
    shown = [e for e in entries if chosen.keeps(e)]
    reasons = Counter(f"{e.stage}: {e.reason}" for e in shown if e.reason)
    summary = ", ".join(f"{n} x {r}" for r, n in reasons.most_common(8))
    theme.number(summary or f"{len(shown)} entries", "text-xs df-muted")
    rows = [
        e.model_dump(include={*COLUMNS, "event_id"})
        | {"level": OUTCOME_LEVEL.get(e.outcome, "info")}
        for e in shown[-ROWS:]
    ]
    columns = [{"name": k, "label": k, "field": k, "align": "left"} for k in COLUMNS]
    # Table cells are rendered as text by Quasar: a scraped detail never becomes markup.
    table = ui.table(columns=columns, rows=rows, row_key="event_id", pagination=25)
    table.classes("w-full df-glass df-log").props("dense flat")


def log_filters(chosen: LogFilter, on_change: Callable[..., Any]) -> None:
    with ui.row().classes("items-center gap-4"):
        level = ui.toggle(LEVELS, value=chosen.level).props("flat dense toggle-color=cyan")
        level.classes("df-label df-log-level")
        stage = ui.select(stage_choices(), value=chosen.stage).props("dense outlined dark")
        stage.classes("w-44 df-log-stage")
        level.bind_value(chosen, "level")
        stage.bind_value(chosen, "stage")
        level.on_value_change(on_change)
        stage.on_value_change(on_change)
