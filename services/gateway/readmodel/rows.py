"""What a projection asks the writer to do: plain values, no I/O, so a batch can be grouped."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table

from shared.contract.events import Event
from shared.contract.streams import STAGES

NANO = 1_000_000_000


def ts(at: datetime) -> str:
    """Fixed-width UTC text, so that comparing strings compares times."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class Upsert:
    """Inserts the row or overwrites only its given columns: other events own the rest."""

    table: Table
    row: dict[str, Any]


@dataclass(frozen=True)
class Outcome:
    """A work item's outcome at a stage; the first copy of an event id is kept."""

    row: dict[str, Any]


@dataclass(frozen=True)
class Earliest:
    """A job time where the earliest fact wins (`extra` columns go with the winning time)."""

    job_id: str
    column: str
    at: str
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Totals:
    """The job's cost and token totals are re-summed from its chunk rows."""

    job_id: str


@dataclass(frozen=True)
class Status:
    """The job's status is re-derived from its time columns."""

    job_id: str


Write = Upsert | Outcome | Earliest | Totals | Status


def outcome(
    event: Event,
    *,
    stage: str,
    item_id: str,
    outcome: str = "ok",
    reason: str | None = None,
    detail: str | None = None,
    url: str | None = None,
) -> list[Write]:
    """The outcome row; an outcome at a pipeline stage also means the job has started."""
    at = ts(event.at)
    row: dict[str, Any] = {"event_id": event.event_id, "job_id": event.job_id, "stage": stage}
    row |= {"item_id": item_id, "outcome": outcome, "reason": reason, "detail": detail}
    row |= {"url": url, "at": at}
    if stage not in STAGES:
        return [Outcome(row)]
    return [Outcome(row), Earliest(event.job_id, "started_at", at), Status(event.job_id)]
