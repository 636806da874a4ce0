"""Review commands: a reviewer's approve, reject or edit of an example becomes ExampleReviewed
on the log, which the read model projects and the shipper's next export honours."""

from __future__ import annotations

from fastapi import HTTPException
from redis.asyncio import Redis

from services.gateway.commands.bodies import ReviewAccepted, ReviewRequest
from services.gateway.commands.log import Written, publish
from services.gateway.container import Gateway, written_visible
from services.gateway.queries import examples as queries
from services.gateway.queries.example_models import ExampleOut
from shared.contract import streams
from shared.contract.events import ExampleReviewed
from shared.contract.ids import derive, new_id

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


async def review(gw: Gateway, example: ExampleOut, body: ReviewRequest) -> ReviewAccepted:
    """The review, once the read models show it; 409 when its request id already named
    another review."""
    event, written = await review_example(gw.redis, example, body)
    asked = body.model_dump(include={"action", "input", "output", "note"})
    if event.model_dump(include=set(asked)) != asked:
        raise HTTPException(409, detail=f"request {body.request_id} asked for another review")
    await written_visible(gw, written)
    shown = await queries.get_example(gw.reader, example.id) or example
    return ReviewAccepted(event_id=event.event_id, example=shown)
