"""Project commands: a project created."""

from __future__ import annotations

from redis.asyncio import Redis

from services.gateway.commands import receipts
from services.gateway.commands.log import Written, publish
from shared import streams
from shared.events import ProjectCreated
from shared.ids import derive, new_id


async def create_project(
    redis: Redis, name: str, description: str = ""
) -> tuple[ProjectCreated, Written]:
    project_id = new_id("proj")
    event = ProjectCreated(
        event_id=derive(project_id, "created"),
        job_id="",  # a project is not a job: nothing tallies this event
        project_id=project_id,
        name=name,
        description=description,
    )
    async with redis.pipeline(transaction=True) as pipe:
        receipts.keep_project(pipe, event)
        return event, await publish(pipe, [(streams.EVENTS, event)])
