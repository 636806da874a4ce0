"""Writes a batch's row changes with one executemany per kind of change, not one per event.

Every statement is order-independent (upserts of disjoint or equal columns, first-wins
outcomes, earliest-wins times, totals and status recomputed from rows), so grouping a batch by
statement gives the rows that applying its events one by one would give.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from sqlalchemy import Executable, String, Table, and_, bindparam, case, func, or_, select, update
from sqlalchemy.dialects.sqlite import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from services.gateway.readmodel import failure
from services.gateway.readmodel.rows import NANO, Earliest, Outcome, Totals, Upsert, Write
from services.gateway.readmodel.tables import chunks, jobs, outcomes


@dataclass
class Plan:
    """A batch's writes, grouped so that each group is one statement."""

    upserts: dict[tuple[Table, tuple[str, ...]], list[dict[str, Any]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    outcomes: list[dict[str, Any]] = field(default_factory=list)
    earliest: dict[tuple[str, str], Earliest] = field(default_factory=dict)
    totals: set[str] = field(default_factory=set)
    statuses: set[str] = field(default_factory=set)

    def add(self, writes: Iterable[Write]) -> None:
        for write in writes:
            if isinstance(write, Upsert):
                self.upserts[write.table, tuple(write.row)].append(write.row)
            elif isinstance(write, Outcome):
                self.outcomes.append(write.row)
            elif isinstance(write, Earliest):
                self._keep_earliest(write)
            elif isinstance(write, Totals):
                self.totals.add(write.job_id)
            else:
                self.statuses.add(write.job_id)

    def _keep_earliest(self, write: Earliest) -> None:
        key = (write.job_id, write.column)
        known = self.earliest.get(key)
        if known is None or (write.at, sorted(write.extra.items())) < (
            known.at,
            sorted(known.extra.items()),
        ):
            self.earliest[key] = write


@cache
def _upsert(table: Table, columns: tuple[str, ...]) -> Executable:
    keys = [c.name for c in table.primary_key.columns]
    stmt = insert(table)
    changed = {name: stmt.excluded[name] for name in columns if name not in keys}
    return stmt.on_conflict_do_update(index_elements=keys, set_=changed)


@cache
def _earliest(column: str, extra: tuple[str, ...]) -> Executable:
    current, at = jobs.c[column], bindparam("at", type_=String)
    earlier = current.is_(None) | (current > at)
    values: dict[str, Any] = {column: func.min(func.coalesce(current, at), at)}
    values |= {name: case((earlier, bindparam(name)), else_=jobs.c[name]) for name in extra}
    return update(jobs).where(jobs.c.id == bindparam("job")).values(values)


_TOUCH = insert(jobs).values(id=bindparam("id")).on_conflict_do_nothing()
_OUTCOME = insert(outcomes).on_conflict_do_nothing()
_STATUS = case(
    (
        and_(
            jobs.c.cancelled_at.is_not(None),
            or_(jobs.c.completed_at.is_(None), jobs.c.cancelled_at <= jobs.c.completed_at),
        ),
        "cancelled",
    ),
    (jobs.c.error.is_not(None), "failed"),
    (jobs.c.completed_at.is_not(None), "completed"),
    (jobs.c.started_at.is_not(None), "running"),
    else_="pending",
)


def _summed(column: Any) -> Any:
    of_job = chunks.c.job_id == jobs.c.id
    return select(func.coalesce(func.sum(column), 0)).where(of_job).scalar_subquery()


_TOTALS = {
    "cost_nano": _summed(chunks.c.cost_nano),
    "cost_total": _summed(chunks.c.cost_nano) / float(NANO),
    "prompt_tokens": _summed(chunks.c.prompt_tokens),
    "completion_tokens": _summed(chunks.c.completion_tokens),
}


async def execute(conn: AsyncConnection, plan: Plan) -> None:
    """Rows first, then the per-job columns derived from them, each job once."""
    for (table, columns), rows in plan.upserts.items():
        await conn.execute(_upsert(table, columns), rows)
    if plan.outcomes:
        await conn.execute(_OUTCOME, plan.outcomes)
    touched = sorted({job for job, _ in plan.earliest} | plan.totals | plan.statuses)
    if touched:
        await conn.execute(_TOUCH, [{"id": job} for job in touched])
    await _write_earliest(conn, plan.earliest.values())
    if plan.totals:
        await conn.execute(update(jobs).where(jobs.c.id.in_(plan.totals)).values(_TOTALS))
    if plan.statuses:
        touched_jobs = update(jobs).where(jobs.c.id.in_(plan.statuses))
        # Status reads the error, and an UPDATE's expressions see the row as it was.
        await conn.execute(touched_jobs.values(error=failure.error()))
        await conn.execute(touched_jobs.values(status=_STATUS))


async def _write_earliest(conn: AsyncConnection, writes: Iterable[Earliest]) -> None:
    groups: dict[tuple[str, tuple[str, ...]], list[dict[str, Any]]] = defaultdict(list)
    for w in writes:
        groups[w.column, tuple(sorted(w.extra))].append({"job": w.job_id, "at": w.at, **w.extra})
    for (column, extra), params in groups.items():
        await conn.execute(_earliest(column, extra), params)
