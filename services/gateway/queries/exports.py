"""Every export across jobs for the download center, newest first, with file sizes and cards."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from services.gateway.queries.job_models import ExportOut
from services.gateway.queries.job_views import export_out
from services.gateway.readmodel.tables import exports, jobs, projects
from shared.storage.blobs import Storage
from shared.storage.keys import OutsideStorage, stored_key

# A card longer than this is cut for the preview; the full card stays one click away.
CARD_PREVIEW_CHARS = 20_000


@dataclass(frozen=True)
class ExportListing:
    export: ExportOut
    project_id: str | None
    project_name: str | None
    size_bytes: int | None  # None: the file is missing or lies outside the exports


async def _size(storage: Storage, key: str) -> int | None:
    try:
        return await storage.size_async(stored_key(key, "exports"))
    except (OutsideStorage, OSError):
        return None


def _newest() -> tuple[Any, Any]:
    return exports.c.created_at.desc(), exports.c.id


async def export_ids(engine: AsyncEngine, limit: int = 500) -> list[str]:
    """The ids `list_exports` would list, in its order: a cheap check for news, with no
    look-up in blob storage (on an object store each size is a request)."""
    query = select(exports.c.id).order_by(*_newest()).limit(limit)
    async with engine.connect() as conn:
        return list((await conn.execute(query)).scalars())


async def list_exports(
    engine: AsyncEngine, storage: Storage, limit: int = 500
) -> list[ExportListing]:
    query = (
        select(exports, jobs.c.project_id, projects.c.name.label("project_name"))
        .outerjoin(jobs, jobs.c.id == exports.c.job_id)
        .outerjoin(projects, projects.c.id == jobs.c.project_id)
        .order_by(*_newest())
        .limit(limit)
    )
    async with engine.connect() as conn:
        rows = list(await conn.execute(query))
    sizes = await asyncio.gather(*(_size(storage, row.file_path) for row in rows))
    return [
        ExportListing(export_out(row), row.project_id, row.project_name, size)
        for row, size in zip(rows, sizes, strict=True)
    ]


async def card_preview(storage: Storage, export: ExportOut) -> str | None:
    """The start of the export's dataset card (Markdown source), or None if it is missing."""
    try:
        card = await storage.get_async(stored_key(export.card_path, "exports"))
    except (OutsideStorage, OSError):
        return None
    return card.decode("utf-8", errors="replace")[:CARD_PREVIEW_CHARS]
