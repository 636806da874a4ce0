"""Export routes: a finished job's export asked for; a dataset file and its card, by export id."""

from __future__ import annotations

import asyncio
from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse, PlainTextResponse

from services.gateway.api.deps import ExportDep, Gateway, GatewayDep, JobDep, written_visible
from services.gateway.api.schemas import ExportAccepted, ExportRequest
from services.gateway.commands import exports as commands
from shared.config import ExportConfig
from shared.paths import OutsideDataDir, confined

router = APIRouter()


@router.post("/api/jobs/{job_id}/exports", status_code=202)
async def request_export(job: JobDep, body: ExportRequest, gw: GatewayDep) -> ExportAccepted:
    """The shipper writes the export; the job's exports list it once written."""
    if not job.finished:
        raise HTTPException(409, detail=f"job {job.id} is {job.status}: export it once finished")
    export = ExportConfig(format=body.format, splits=body.splits)
    event, written = await commands.request_export(gw.redis, job.id, export, body.request_id)
    if event.export != export:
        raise HTTPException(409, detail=f"request {body.request_id} asked for another export")
    await written_visible(gw, written)
    return ExportAccepted(
        job_id=job.id,
        export_id=event.export_id,
        event_id=event.event_id,
        format=export.format,
        exports_url=f"/api/jobs/{job.id}/exports",
    )


def _stored(gw: Gateway, path: str, what: str) -> Path:
    """Serves only files under the data directory's exports, whatever the event said."""
    try:
        return confined(gw.settings.data_dir, path, "exports")
    except OutsideDataDir:
        raise HTTPException(404, detail=f"{what} is not an export file") from None


@router.get("/api/exports/{export_id}/download")
async def download_export(export: ExportDep, gw: GatewayDep) -> FileResponse:
    path = _stored(gw, export.path, f"file of export {export.id}")
    if not await asyncio.to_thread(path.is_file):
        raise HTTPException(404, detail=f"file of export {export.id} is missing")
    filename = f"{export.job_id}-{export.version}{path.suffix}"
    return FileResponse(path, filename=filename)


@router.get("/api/exports/{export_id}/card")
async def export_card(export: ExportDep, gw: GatewayDep) -> PlainTextResponse:
    card = _stored(gw, export.card_path, f"card of export {export.id}")
    try:
        text = await asyncio.to_thread(card.read_text, encoding="utf-8")
    except OSError:
        raise HTTPException(404, detail=f"card of export {export.id} is missing") from None
    return PlainTextResponse(text, media_type="text/markdown; charset=utf-8")
