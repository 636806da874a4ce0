"""Job status queries: a few grouped queries for any number of jobs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.gateway.progress import JobCounts, current_stage, stages_of
from services.gateway.schemas import ExportOut, JobStatus
from services.gateway.tables import (
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
    )


async def _counts(conn: AsyncConnection, ids: Sequence[str]) -> dict[str, JobCounts]:
    counts = {job_id: JobCounts() for job_id in ids}
    grouped = select(outcomes.c.job_id, outcomes.c.stage, outcomes.c.outcome, func.count())
    grouped = grouped.where(outcomes.c.job_id.in_(ids))
    for job_id, stage, kind, n in await conn.execute(
        grouped.group_by(*grouped.selected_columns[:3])
    ):
        counts[job_id].outcomes[stage, kind] = n
    docs = select(
        raw_documents.c.job_id,
        func.coalesce(func.sum(raw_documents.c.chunk_count), 0),
        func.coalesce(func.sum(raw_documents.c.dropped_count), 0),
    ).where(raw_documents.c.job_id.in_(ids))
    for job_id, made, dropped in await conn.execute(docs.group_by(raw_documents.c.job_id)):
        counts[job_id].chunks, counts[job_id].dropped = made, dropped
    made = select(chunks.c.job_id, func.coalesce(func.sum(chunks.c.examples), 0))
    made = made.where(chunks.c.job_id.in_(ids)).group_by(chunks.c.job_id)
    for job_id, examples in await conn.execute(made):
        counts[job_id].examples = examples
    te = training_examples.c
    scored = select(
        te.job_id,
        func.count(case((te.passed_qc.is_(True), 1))),
        func.count(case((te.passed_qc.is_(False), 1))),
    ).where(te.job_id.in_(ids))
    for job_id, passed, rejected in await conn.execute(scored.group_by(te.job_id)):
        counts[job_id].passed, counts[job_id].rejected = passed, rejected
    return counts


async def _exports(conn: AsyncConnection, ids: Sequence[str]) -> dict[str, list[ExportOut]]:
    found: dict[str, list[ExportOut]] = {job_id: [] for job_id in ids}
    query = select(exports).where(exports.c.job_id.in_(ids)).order_by(exports.c.created_at)
    for row in await conn.execute(query):
        found[row.job_id].append(export_out(row))
    return found


def _status(row: Any, counts: JobCounts, job_exports: list[ExportOut]) -> JobStatus:
    stages = stages_of(replace(counts, url_count=row.url_count))
    finished = row.completed_at is not None
    return JobStatus(
        id=row.id,
        project_id=row.project_id,
        project_name=row.project_name,
        status=row.status,
        stage=current_stage(stages, finished, bool(job_exports)),
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
    )


async def job_statuses(conn: AsyncConnection, ids: Sequence[str]) -> list[JobStatus]:
    """Statuses of the given jobs, in the given order; unknown ids are left out."""
    query = select(jobs, projects.c.name.label("project_name")).outerjoin(
        projects, projects.c.id == jobs.c.project_id
    )
    rows = {row.id: row for row in await conn.execute(query.where(jobs.c.id.in_(ids)))}
    known = [job_id for job_id in ids if job_id in rows]
    counts, found = await _counts(conn, known), await _exports(conn, known)
    return [_status(rows[job_id], counts[job_id], found[job_id]) for job_id in known]
