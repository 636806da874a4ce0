"""Read-model queries: everything the API and the dashboard show comes from here."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Executable, case, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from services.gateway.queries.job_models import ExportOut, JobStatus, LogEntry, ProjectOut
from services.gateway.queries.job_views import export_out, job_statuses
from services.gateway.queries.stat_models import Overview
from services.gateway.readmodel.ledger import projection_failures as failures
from services.gateway.readmodel.rows import NANO
from services.gateway.readmodel.tables import exports, jobs, outcomes, projects, training_examples

ACTIVE = ("pending", "running")


def _project(row: Any) -> ProjectOut:
    return ProjectOut(
        id=row.id,
        name=row.name,
        description=row.description,
        created_at=row.created_at,
        job_count=row.job_count,
    )


def _projects_query() -> Any:
    job_count = select(func.count()).where(jobs.c.project_id == projects.c.id).scalar_subquery()
    return select(projects, job_count.label("job_count")).where(projects.c.deleted_at.is_(None))


async def list_projects(engine: AsyncEngine) -> list[ProjectOut]:
    query = _projects_query().order_by(projects.c.created_at.desc(), projects.c.id)
    async with engine.connect() as conn:
        return [_project(row) for row in await conn.execute(query)]


async def get_project(engine: AsyncEngine, project_id: str) -> ProjectOut | None:
    async with engine.connect() as conn:
        row = (await conn.execute(_projects_query().where(projects.c.id == project_id))).first()
    return _project(row) if row else None


async def list_jobs(
    engine: AsyncEngine, project_id: str | None = None, limit: int = 100
) -> list[JobStatus]:
    """Newest jobs first."""
    query = select(jobs.c.id).order_by(jobs.c.submitted_at.desc(), jobs.c.id).limit(limit)
    if project_id is not None:
        query = query.where(jobs.c.project_id == project_id)
    async with engine.connect() as conn:
        ids = list((await conn.execute(query)).scalars())
        return await job_statuses(conn, ids)


async def active_job_ids(engine: AsyncEngine, project_id: str) -> list[str]:
    """The project's pending and running jobs."""
    of_project = (jobs.c.project_id == project_id) & jobs.c.status.in_(ACTIVE)
    async with engine.connect() as conn:
        return list((await conn.execute(select(jobs.c.id).where(of_project))).scalars())


async def job_status(engine: AsyncEngine, job_id: str) -> JobStatus | None:
    async with engine.connect() as conn:
        found = await job_statuses(conn, [job_id])
    return found[0] if found else None


# A log entry's level follows its outcome; asking for a level gets it and those above it.
LEVEL_OF = {"ok": "info", "skipped": "warning", "failed": "error"}
AT_LEAST = {
    "info": ("ok", "skipped", "failed"),
    "warning": ("skipped", "failed"),
    "error": ("failed",),
}


async def job_logs(
    engine: AsyncEngine,
    job_id: str,
    include_ok: bool = False,
    limit: int = 1000,
    *,
    level: str | None = None,
    stage: str | None = None,
) -> list[LogEntry]:
    """The job's item outcomes in log time, at `level` or above (without one: warnings and
    errors, or everything with `include_ok`), of one `stage` if given."""
    o = outcomes.c
    kinds = AT_LEAST[level or ("info" if include_ok else "warning")]
    query = select(outcomes, case(LEVEL_OF, value=o.outcome, else_="info").label("level"))
    query = query.where(o.job_id == job_id, o.outcome.in_(kinds))
    if stage is not None:
        query = query.where(o.stage == stage)
    query = query.order_by(o.at, o.event_id).limit(limit)
    async with engine.connect() as conn:
        rows = await conn.execute(query)
        return [LogEntry.model_validate(row, from_attributes=True) for row in rows]


async def job_exports(engine: AsyncEngine, job_id: str) -> list[ExportOut]:
    query = select(exports).where(exports.c.job_id == job_id).order_by(exports.c.created_at)
    async with engine.connect() as conn:
        return [export_out(row) for row in await conn.execute(query)]


async def get_export(engine: AsyncEngine, export_id: str) -> ExportOut | None:
    async with engine.connect() as conn:
        row = (await conn.execute(select(exports).where(exports.c.id == export_id))).first()
    return export_out(row) if row else None


def _totals() -> tuple[Executable, Executable]:
    te = training_examples.c
    job_totals = select(
        func.count(),
        func.count().filter(jobs.c.status.in_(ACTIVE)),
        func.count().filter(jobs.c.status == "completed"),
        func.count().filter(jobs.c.status == "failed"),
        func.count().filter(jobs.c.status == "cancelled"),
        func.coalesce(func.sum(jobs.c.cost_nano), 0),
        func.coalesce(func.sum(jobs.c.prompt_tokens + jobs.c.completion_tokens), 0),
    )
    return job_totals, select(func.count(), func.count().filter(te.passed_qc.is_(True)))


async def overview(engine: AsyncEngine) -> Overview:
    job_totals, example_totals = _totals()
    async with engine.connect() as conn:
        n_jobs, active, completed, failed, cancelled, nano, tokens = (
            await conn.execute(job_totals)
        ).one()
        examples, passed = (await conn.execute(example_totals)).one()
        live = select(func.count()).select_from(projects).where(projects.c.deleted_at.is_(None))
        n_projects = (await conn.execute(live)).scalar_one()
        n_exports = (await conn.execute(select(func.count()).select_from(exports))).scalar_one()
    return Overview(
        projects=n_projects,
        jobs=n_jobs,
        active_jobs=active,
        completed_jobs=completed,
        failed_jobs=failed,
        cancelled_jobs=cancelled,
        examples=examples,
        examples_passed=passed,
        cost_usd=nano / NANO,
        tokens=tokens,
        exports=n_exports,
    )


async def projection_failures(engine: AsyncEngine) -> int:
    """Log entries the projector recorded as not applied; a query that also proves the DB."""
    query = select(func.count()).select_from(failures)
    async with engine.connect() as conn:
        return int((await conn.execute(query)).scalar_one())
