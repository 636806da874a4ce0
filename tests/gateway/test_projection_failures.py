"""An entry whose projection fails is recorded and shown; its batch-mates are applied."""

from __future__ import annotations

import httpx
from redis.asyncio import Redis
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from services.gateway.queries import views
from services.gateway.readmodel.ledger import checkpoints, projection_failures
from services.gateway.readmodel.projector import Projector
from services.gateway.readmodel.tables import outcomes
from shared.contract import streams
from tests.gateway.conftest import projecting, publish_log
from tests.gateway.story import Story
from tests.helpers import text, wait_for


def unstorable_page(story: Story) -> Story:
    """The page's status code is a valid event value that no SQLite INTEGER can hold."""
    story.page = story.page.model_copy(update={"status_code": 2**70})
    return story


async def failures(engine: AsyncEngine) -> list[tuple[str, str | None, str | None, str]]:
    f = projection_failures.c
    query = select(f.stream, f.event_type, f.job_id, f.error).order_by(f.stream, f.entry_id)
    async with engine.connect() as conn:
        return [tuple(row) for row in await conn.execute(query)]


async def test_a_failing_event_is_recorded_and_the_rest_of_its_batch_is_applied(
    redis: Redis, writer: AsyncEngine, reader: AsyncEngine
) -> None:
    story = unstorable_page(Story())
    await publish_log(redis, story.log())
    async with projecting(Projector(redis, writer, block_ms=50)) as projector:
        assert await projector.caught_up(10)
        assert (projector.applied, projector.failed) == (len(story.log()) - 1, 1)
    [(stream, kind, job_id, error)] = await failures(reader)
    assert (stream, kind, job_id) == (streams.REFINER, "PageFetched", story.job_id)
    assert "too large" in error
    status = await views.job_status(reader, story.job_id)
    assert status is not None and status.projection_failures == 1
    # Everything but the page itself is there: the refiner's outcome, chunks, examples, export.
    assert (status.status, status.stages.refiner.documents, status.stages.inspector.passed) == (
        "completed",
        1,
        1,
    )
    assert status.stages.spider.fetched == 0 and len(status.exports) == 1


async def test_malformed_entries_are_recorded_and_the_checkpoint_moves_on(
    redis: Redis, writer: AsyncEngine, reader: AsyncEngine
) -> None:
    story = Story()
    await redis.xadd(streams.EVENTS, {"__data__": b'{"type": "NoSuchEvent", "job_id": "j"}'})
    await redis.xadd(streams.EVENTS, {"other": b"no data field"})
    last = await redis.xadd(streams.EVENTS, {"__data__": b"not json at all"})
    await publish_log(redis, [(streams.EVENTS, story.project)])
    async with projecting(Projector(redis, writer, block_ms=50)) as projector:
        assert await projector.caught_up(10)
        assert (projector.applied, projector.failed) == (1, 3)
    assert [p.name for p in await views.list_projects(reader)] == ["Docs"]
    recorded = await failures(reader)
    assert [(kind, job_id) for _, kind, job_id, _ in recorded] == [
        ("NoSuchEvent", "j"),
        (None, None),
        (None, None),
    ]
    assert "no __data__ field" in recorded[1][3]
    async with reader.connect() as conn:
        where = checkpoints.c.stream == streams.EVENTS
        stored = (await conn.execute(select(checkpoints.c.last_id).where(where))).scalar_one()
        applied = (await conn.execute(select(func.count()).select_from(outcomes))).scalar_one()
    assert stored > text(last) and applied == 0


async def test_health_and_the_job_show_how_many_entries_failed(
    client: httpx.AsyncClient, redis: Redis
) -> None:
    response = await client.post("/api/projects", json={"name": "Docs"})
    project_id = response.json()["id"]
    response = await client.post(
        f"/api/projects/{project_id}/jobs", json={"urls": ["https://a.example/"]}
    )
    job_id = response.json()["job_id"]
    assert (await client.get("/health")).json()["projection_failures"] == 0
    story = unstorable_page(Story(job_id, project_id))
    await publish_log(redis, [(streams.REFINER, story.page)])
    health = await wait_for(
        lambda: client.get("/health"), lambda r: r.json()["projection_failures"] == 1
    )
    assert health.status_code == 200
    job = (await client.get(f"/api/jobs/{job_id}")).json()
    assert job["projection_failures"] == 1
