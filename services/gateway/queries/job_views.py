"""Job status queries: a few grouped queries for any number of jobs."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import Table, case, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.gateway.queries.job_models import ExportOut, JobStatus, ProviderBatch
from services.gateway.queries.progress import JobCounts, current_stage, job_error, stages_of
from services.gateway.readmodel.failure import FAILED_AT
from services.gateway.readmodel.ledger import projection_failures
from services.gateway.readmodel.tables import (
    batch_chunks,
    chunks,
    exports,
    jobs,
    outcomes,
    projects,
    raw_documents,
    training_examples,
)


def export_out(row: Any) -> ExportOut:
    return ExportOut(
        id=row.id,
        job_id=row.job_id,
        format=row.format,
        path=row.file_path,
        card_path=row.card_path,
        record_count=row.record_count,
        rejected_count=row.rejected_count,
        version=row.version,
        created_at=row.created_at,
        download_url=f"/api/exports/{row.id}/download",
        card_url=f"/api/exports/{row.id}/card",
        manifest_path=row.manifest_path,
        splits=row.splits or {},
    )


def _sum(column: Any) -> Any:
    return func.coalesce(func.sum(column), 0)


def _count_if(condition: Any) -> Any:
    return func.count(case((condition, 1)))


async def _per_job(
    conn: AsyncConnection, table: Table, ids: Sequence[str], *aggregates: Any
) -> dict[str, tuple[Any, ...]]:
    query = select(table.c.job_id, *aggregates).where(table.c.job_id.in_(ids))
    rows = await conn.execute(query.group_by(table.c.job_id))
    return {row[0]: tuple(row[1:]) for row in rows}


async def _outcomes(conn: AsyncConnection, ids: Sequence[str]) -> Counter[tuple[str, str, str]]:
    o = outcomes.c
    query = select(o.job_id, o.stage, o.outcome, func.count()).where(o.job_id.in_(ids))
    rows = await conn.execute(query.group_by(o.job_id, o.stage, o.outcome))
    return Counter({(job_id, stage, kind): n for job_id, stage, kind, n in rows})


async def _counts(conn: AsyncConnection, ids: Sequence[str]) -> dict[str, JobCounts]:
    rd, te = raw_documents.c, training_examples.c
    docs = await _per_job(conn, raw_documents, ids, _sum(rd.chunk_count), _sum(rd.dropped_count))
    made = await _per_job(conn, chunks, ids, _sum(chunks.c.examples))
    scored = await _per_job(
        conn,
        training_examples,
        ids,
        _count_if(te.passed_qc.is_(True)),
        _count_if(te.passed_qc.is_(False)),
    )
    settled = await _outcomes(conn, ids)
    counts = {job_id: JobCounts() for job_id in ids}
    for (job_id, stage, kind), n in settled.items():
        counts[job_id].outcomes[stage, kind] = n
    for job_id, c in counts.items():
        c.chunks, c.dropped = docs.get(job_id, (0, 0))
        (c.examples,) = made.get(job_id, (0,))
        c.passed, c.rejected = scored.get(job_id, (0, 0))
    return counts


async def _batches(conn: AsyncConnection, ids: Sequence[str]) -> dict[str, list[ProviderBatch]]:
    """Each job's provider batches, with how many of their chunks have no outcome yet."""
    b, o = batch_chunks.c, outcomes.c
    settled = (o.item_id == b.chunk_id) & (o.stage == "factory")
    query = (
        select(b.job_id, b.batch_id, func.count(), func.count(o.event_id))
        .select_from(batch_chunks.outerjoin(outcomes, settled))
        .where(b.job_id.in_(ids))
        .group_by(b.job_id, b.batch_id)
        .order_by(func.min(b.submitted_at))
    )
    found: dict[str, list[ProviderBatch]] = {job_id: [] for job_id in ids}
    for job_id, batch_id, total, done in await conn.execute(query):
        found[job_id].append(ProviderBatch(batch_id=batch_id, chunks=total, waiting=total - done))
    return found


async def _exports(conn: AsyncConnection, ids: Sequence[str]) -> dict[str, list[ExportOut]]:
    found: dict[str, list[ExportOut]] = {job_id: [] for job_id in ids}
    query = select(exports).where(exports.c.job_id.in_(ids)).order_by(exports.c.created_at)
    for row in await conn.execute(query):
        found[row.job_id].append(export_out(row))
    return found


def _status(row: Any, counts: JobCounts, job_exports: list[ExportOut], unapplied: int) -> JobStatus:
    stages = stages_of(replace(counts, url_count=row.url_count))
    finished = row.completed_at is not None
    stage = current_stage(stages, finished, bool(job_exports))
    failed = row.error is not None and row.status == "failed"
    return JobStatus(
        id=row.id,
        project_id=row.project_id,
        project_name=row.project_name,
        status=row.status,
        stage=FAILED_AT.get(row.error, stage) if failed else stage,
        finished=finished,
        url_count=row.url_count,
        invalid_urls=counts.outcomes["gateway", "failed"],
        submitted_at=row.submitted_at,
        started_at=row.started_at,
        completed_at=row.completed_at,
        cancelled_at=row.cancelled_at,
        stages=stages,
        cost_usd=row.cost_total,
        prompt_tokens=row.prompt_tokens,
        completion_tokens=row.completion_tokens,
        tokens=row.prompt_tokens + row.completion_tokens,
        exports=job_exports,
        projection_failures=unapplied,
        error=job_error(row.error, stages) if failed else None,
    )


async def job_statuses(conn: AsyncConnection, ids: Sequence[str]) -> list[JobStatus]:
    """Statuses of the given jobs, in the given order; unknown ids are left out."""
    query = select(jobs, projects.c.name.label("project_name")).outerjoin(
        projects, projects.c.id == jobs.c.project_id
    )
    rows = {row.id: row for row in await conn.execute(query.where(jobs.c.id.in_(ids)))}
    known = [job_id for job_id in ids if job_id in rows]
    counts, found = await _counts(conn, known), await _exports(conn, known)
    failed = await _per_job(conn, projection_failures, known, func.count())
    batches = await _batches(conn, known)
    return [
        _status(
            rows[job_id], counts[job_id], found[job_id], failed.get(job_id, (0,))[0]
        ).model_copy(update={"provider_batches": batches[job_id]})
        for job_id in known
    ]
