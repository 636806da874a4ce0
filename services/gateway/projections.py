"""One projection per event type: event in, idempotent row writes out."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import case, func, update
from sqlalchemy.ext.asyncio import AsyncConnection

from services.gateway import item_projections as items
from services.gateway.rows import record_outcome, refresh_status, touch_job, ts, upsert
from services.gateway.tables import exports, jobs, projects
from shared.events import (
    ChunkDropped,
    ChunkGenerated,
    ChunkMade,
    DocumentRefined,
    Event,
    ExampleGenerated,
    ExampleScored,
    ExportWritten,
    FetchPage,
    ItemFailed,
    JobCancelled,
    JobCompleted,
    JobSubmitted,
    PageFetched,
    ProjectCreated,
)

Projection = Callable[[AsyncConnection, Any], Awaitable[None]]


async def project_created(conn: AsyncConnection, e: ProjectCreated) -> None:
    row: dict[str, Any] = {
        "id": e.project_id,
        "name": e.name,
        "description": e.description,
        "config": {},
        "created_at": ts(e.at),
        "updated_at": ts(e.at),
    }
    await upsert(conn, projects, row)


async def job_submitted(conn: AsyncConnection, e: JobSubmitted) -> None:
    row: dict[str, Any] = {
        "id": e.job_id,
        "project_id": e.project_id,
        "url_count": len(e.urls),
        "config": e.config.model_dump(mode="json"),
        "submitted_at": ts(e.at),
    }
    await upsert(conn, jobs, row)
    await refresh_status(conn, e.job_id)


async def job_cancelled(conn: AsyncConnection, e: JobCancelled) -> None:
    # The earliest cancellation counts, whichever copy is applied first.
    await touch_job(conn, e.job_id)
    at = ts(e.at)
    earlier = jobs.c.cancelled_at.is_(None) | (jobs.c.cancelled_at > at)
    values = {
        "cancelled_at": func.min(func.coalesce(jobs.c.cancelled_at, at), at),
        "cancel_reason": case((earlier, e.reason), else_=jobs.c.cancel_reason),
    }
    await conn.execute(update(jobs).where(jobs.c.id == e.job_id).values(**values))
    await refresh_status(conn, e.job_id)


async def job_completed(conn: AsyncConnection, e: JobCompleted) -> None:
    await touch_job(conn, e.job_id)
    at = ts(e.at)
    done = func.min(func.coalesce(jobs.c.completed_at, at), at)
    await conn.execute(update(jobs).where(jobs.c.id == e.job_id).values(completed_at=done))
    await refresh_status(conn, e.job_id)


async def export_written(conn: AsyncConnection, e: ExportWritten) -> None:
    row: dict[str, Any] = {
        "id": e.export_id,
        "job_id": e.job_id,
        "format": e.format,
        "file_path": e.path,
        "card_path": e.card_path,
        "record_count": e.record_count,
        "rejected_count": e.rejected_count,
        "version": e.version,
        "created_at": ts(e.at),
    }
    await upsert(conn, exports, row)


async def item_failed(conn: AsyncConnection, e: ItemFailed) -> None:
    await record_outcome(
        conn,
        e,
        stage=e.stage,
        item_id=e.item_id,
        outcome=e.outcome,
        reason=e.reason,
        detail=e.detail,
        url=e.url,
    )


async def nothing(conn: AsyncConnection, e: Event) -> None:
    """Work requests are not facts about outcomes; JobSubmitted already counts the URLs."""


PROJECTIONS: dict[type[Event], Projection] = {
    ProjectCreated: project_created,
    JobSubmitted: job_submitted,
    JobCancelled: job_cancelled,
    JobCompleted: job_completed,
    ExportWritten: export_written,
    ItemFailed: item_failed,
    FetchPage: nothing,
    PageFetched: items.page_fetched,
    DocumentRefined: items.document_refined,
    ChunkMade: items.chunk_made,
    ChunkDropped: items.chunk_dropped,
    ChunkGenerated: items.chunk_generated,
    ExampleGenerated: items.example_generated,
    ExampleScored: items.example_scored,
}


async def apply(conn: AsyncConnection, event: Event) -> None:
    await PROJECTIONS[type(event)](conn, event)
