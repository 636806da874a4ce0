"""Idempotent row writes shared by the projections: upserts, outcomes, job status and cost."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, and_, case, func, or_, select, update
from sqlalchemy.dialects.sqlite import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from services.gateway.tables import chunks, jobs, outcomes
from shared.events import Event

PIPELINE_STAGES = ("spider", "refiner", "factory", "inspector", "shipper")
NANO = 1_000_000_000


def ts(at: datetime) -> str:
    """Fixed-width UTC text, so that comparing strings compares times."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


async def upsert(conn: AsyncConnection, table: Table, values: dict[str, Any]) -> None:
    """Inserts or overwrites only the given columns: other events own the rest of the row."""
    keys = [c.name for c in table.primary_key.columns]
    stmt = insert(table).values(**values)
    changed = {name: stmt.excluded[name] for name in values if name not in keys}
    await conn.execute(stmt.on_conflict_do_update(index_elements=keys, set_=changed))


async def touch_job(conn: AsyncConnection, job_id: str) -> None:
    await conn.execute(insert(jobs).values(id=job_id).on_conflict_do_nothing())


_STATUS = case(
    (
        and_(
            jobs.c.cancelled_at.is_not(None),
            or_(jobs.c.completed_at.is_(None), jobs.c.cancelled_at <= jobs.c.completed_at),
        ),
        "cancelled",
    ),
    (jobs.c.completed_at.is_not(None), "completed"),
    (jobs.c.started_at.is_not(None), "running"),
    else_="pending",
)


async def refresh_status(conn: AsyncConnection, job_id: str) -> None:
    """Status is a function of the job's fact columns, whatever order they arrived in."""
    await conn.execute(update(jobs).where(jobs.c.id == job_id).values(status=_STATUS))


async def record_outcome(
    conn: AsyncConnection,
    event: Event,
    *,
    stage: str,
    item_id: str,
    outcome: str = "ok",
    reason: str | None = None,
    detail: str | None = None,
    url: str | None = None,
) -> None:
    at = ts(event.at)
    row = insert(outcomes).values(
        event_id=event.event_id,
        job_id=event.job_id,
        stage=stage,
        item_id=item_id,
        outcome=outcome,
        reason=reason,
        detail=detail,
        url=url,
        at=at,
    )
    await conn.execute(row.on_conflict_do_nothing())
    if stage not in PIPELINE_STAGES:
        return
    await touch_job(conn, event.job_id)
    started = func.min(func.coalesce(jobs.c.started_at, at), at)
    await conn.execute(update(jobs).where(jobs.c.id == event.job_id).values(started_at=started))
    await refresh_status(conn, event.job_id)


async def refresh_cost(conn: AsyncConnection, job_id: str) -> None:
    """Recomputes the job's totals from its chunk rows, so re-applying changes nothing."""
    totals = select(
        func.coalesce(func.sum(chunks.c.cost_nano), 0),
        func.coalesce(func.sum(chunks.c.prompt_tokens), 0),
        func.coalesce(func.sum(chunks.c.completion_tokens), 0),
    ).where(chunks.c.job_id == job_id)
    nano, prompt, completion = (await conn.execute(totals)).one()
    await touch_job(conn, job_id)
    values = {"cost_nano": nano, "cost_total": nano / NANO}
    values |= {"prompt_tokens": prompt, "completion_tokens": completion}
    await conn.execute(update(jobs).where(jobs.c.id == job_id).values(**values))
