"""Review commands: a reviewer's approve, reject or edit of an example becomes ExampleReviewed
on the log, which the read model projects and the shipper's next export honours."""

from __future__ import annotations

from redis.asyncio import Redis

from services.gateway.api.example_schemas import ExampleOut, ReviewRequest
from services.gateway.commands.log import Written, publish
from shared import streams
from shared.events import ExampleReviewed
from shared.ids import derive, new_id

# How long a request id names its first review: long enough for any client's retries.
REQUEST_KEPT_S = 24 * 3600


def _key(event_id: str) -> str:
    return f"df:gateway:review-request:{event_id}"


async def review_example(
    redis: Redis, example: ExampleOut, request: ReviewRequest
) -> tuple[ExampleReviewed, Written]:
    """Publishes the review. A repeated request id gets the first request's event, time
    included, so a retry never moves the review after a later one."""
    key = request.request_id or new_id("request")
    event = ExampleReviewed(
        event_id=derive(example.id, "review", key),
        job_id=example.job_id,
        caused_by=example.id,
        example_id=example.id,
        action=request.action,
        input=request.input,
        output=request.output,
        note=request.note,
    )
    async with redis.pipeline(transaction=True) as pipe:
        pipe.set(_key(event.event_id), event.model_dump_json(), nx=True, ex=REQUEST_KEPT_S)
        pipe.get(_key(event.event_id))
        event = ExampleReviewed.model_validate_json((await pipe.execute())[-1])
    # Published again on a repeat: if the first publish was lost, this one still counts.
    async with redis.pipeline(transaction=True) as pipe:
        return event, await publish(pipe, [(streams.EVENTS, event)])
