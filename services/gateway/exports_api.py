"""Export routes: a dataset file and its card, by export id."""

from __future__ import annotations

import asyncio
from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse, PlainTextResponse

from services.gateway.deps import ExportDep

router = APIRouter()


@router.get("/api/exports/{export_id}/download")
async def download_export(export: ExportDep) -> FileResponse:
    path = Path(export.path)
    if not await asyncio.to_thread(path.is_file):
        raise HTTPException(404, detail=f"file of export {export.id} is missing")
    filename = f"{export.job_id}-{export.version}{path.suffix}"
    return FileResponse(path, filename=filename)


@router.get("/api/exports/{export_id}/card")
async def export_card(export: ExportDep) -> PlainTextResponse:
    try:
        text = await asyncio.to_thread(Path(export.card_path).read_text, encoding="utf-8")
    except OSError:
        raise HTTPException(404, detail=f"card of export {export.id} is missing") from None
    return PlainTextResponse(text, media_type="text/markdown; charset=utf-8")
