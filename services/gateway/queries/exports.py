"""Every export across jobs for the download center, newest first, with file sizes and cards."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from services.gateway.api.schemas import ExportOut
from services.gateway.queries.job_views import export_out
from services.gateway.readmodel.tables import exports, jobs, projects
from shared.paths import OutsideDataDir, confined

# A card longer than this is cut for the preview; the full card stays one click away.
CARD_PREVIEW_CHARS = 20_000


@dataclass(frozen=True)
class ExportListing:
    export: ExportOut
    project_id: str | None
    project_name: str | None
    size_bytes: int | None  # None: the file is missing or lies outside the data directory


def _size(data_dir: Path, path: str) -> int | None:
    try:
        return confined(data_dir, path, "exports").stat().st_size
    except (OutsideDataDir, OSError):
        return None


async def list_exports(
    engine: AsyncEngine, data_dir: Path, limit: int = 500
) -> list[ExportListing]:
    query = (
        select(exports, jobs.c.project_id, projects.c.name.label("project_name"))
        .outerjoin(jobs, jobs.c.id == exports.c.job_id)
        .outerjoin(projects, projects.c.id == jobs.c.project_id)
        .order_by(exports.c.created_at.desc(), exports.c.id)
        .limit(limit)
    )
    async with engine.connect() as conn:
        rows = list(await conn.execute(query))
    sizes = await asyncio.to_thread(lambda: [_size(data_dir, row.file_path) for row in rows])
    return [
        ExportListing(export_out(row), row.project_id, row.project_name, size)
        for row, size in zip(rows, sizes, strict=True)
    ]


def _card_text(data_dir: Path, path: str) -> str | None:
    try:
        with confined(data_dir, path, "exports").open(encoding="utf-8", errors="replace") as f:
            return f.read(CARD_PREVIEW_CHARS)
    except (OutsideDataDir, OSError):
        return None


async def card_preview(data_dir: Path, export: ExportOut) -> str | None:
    """The start of the export's dataset card (Markdown source), or None if it is missing."""
    return await asyncio.to_thread(_card_text, data_dir, export.card_path)
