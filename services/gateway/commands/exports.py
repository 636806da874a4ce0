"""Export commands: an export of a finished job asked of the shipper."""

from __future__ import annotations

from redis.asyncio import Redis

from services.gateway.commands.log import Written, publish
from shared.contract import streams
from shared.contract.config import ExportConfig
from shared.contract.events import ExportJob
from shared.contract.ids import derive, new_id


async def request_export(
    redis: Redis, job_id: str, export: ExportConfig, request_id: str | None = None
) -> tuple[ExportJob, Written]:
    """Asks the shipper for an export. A repeated request id gets the first request's event,
    time included, so the shipper finds its export written instead of writing another."""
    key = request_id or new_id("request")
    event = ExportJob(event_id=derive(job_id, "export-job", key), job_id=job_id, export=export)
    remembered = f"df:gateway:export-request:{event.event_id}"
    async with redis.pipeline(transaction=True) as pipe:
        pipe.set(remembered, event.model_dump_json(), nx=True)
        pipe.get(remembered)
        event = ExportJob.model_validate_json((await pipe.execute())[-1])
    # Published again on a repeat: if the first publish was lost, this one still counts.
    async with redis.pipeline(transaction=True) as pipe:
        return event, await publish(pipe, [(streams.SHIPPER, event)])
