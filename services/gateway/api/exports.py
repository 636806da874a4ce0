"""Export routes: a finished job's export asked for; a dataset file and its card, by export id."""

from __future__ import annotations

import mimetypes
from pathlib import PurePosixPath

from fastapi import APIRouter, HTTPException
from fastapi.responses import PlainTextResponse, RedirectResponse, StreamingResponse

from services.gateway.api.deps import ExportDep, GatewayDep, JobDep
from services.gateway.api.problems import problems
from services.gateway.commands import exports as commands
from services.gateway.commands.bodies import ExportAccepted, ExportRequest
from services.gateway.container import written_visible
from shared.contract.config import ExportConfig
from shared.storage.keys import OutsideStorage, stored_key

router = APIRouter()


@router.post("/api/jobs/{job_id}/exports", status_code=202, responses=problems(404, 409, 422))
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


def _stored(key: str, what: str) -> str:
    """Serves only objects under exports/, whatever the event said (rows of older events
    hold a path in the data directory)."""
    try:
        return stored_key(key, "exports")
    except OutsideStorage:
        raise HTTPException(404, detail=f"{what} is not an export file") from None


# Files, not JSON: the schema says so, so clients and schemathesis do not expect a model.
_DATA_FILE = {
    "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}
}
_CARD = {"content": {"text/markdown": {"schema": {"type": "string"}}}}


@router.get(
    "/api/exports/{export_id}/download",
    response_model=None,
    response_class=StreamingResponse,
    responses={
        200: _DATA_FILE,
        307: {"description": "a signed URL of the file (S3)"},
        **problems(404),
    },
)
async def download_export(
    export: ExportDep, gw: GatewayDep
) -> StreamingResponse | RedirectResponse:
    """The data file, streamed from blob storage, or a redirect to a signed URL for it."""
    key = _stored(export.path, f"file of export {export.id}")
    storage = gw.storage
    if url := await storage.signed_url(key):
        return RedirectResponse(url, status_code=307)
    try:
        size, chunks = await storage.stream(key)
    except FileNotFoundError:
        raise HTTPException(404, detail=f"file of export {export.id} is missing") from None
    name = f"{export.job_id}-{export.version}{PurePosixPath(key).suffix}"
    headers = {"Content-Length": str(size), "Content-Disposition": f'attachment; filename="{name}"'}
    kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return StreamingResponse(chunks, media_type=kind, headers=headers)


@router.get(
    "/api/exports/{export_id}/card",
    response_class=PlainTextResponse,
    responses={200: _CARD, **problems(404)},
)
async def export_card(export: ExportDep, gw: GatewayDep) -> PlainTextResponse:
    key = _stored(export.card_path, f"card of export {export.id}")
    try:
        text = (await gw.storage.get_async(key)).decode()
    except FileNotFoundError:
        raise HTTPException(404, detail=f"card of export {export.id} is missing") from None
    return PlainTextResponse(text, media_type="text/markdown; charset=utf-8")
