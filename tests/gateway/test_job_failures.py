"""A completed job fails when its counted outcomes say so, and a rebuild decides the same."""

from __future__ import annotations

from pathlib import Path

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from services.gateway.queries import views
from services.gateway.queries.job_models import JobStatus
from services.gateway.readmodel.db import reader_engine, sqlite_url_for
from services.gateway.readmodel.projector import Projector
from services.gateway.readmodel.rebuild import replay
from shared.contract import streams
from shared.contract.events import Event, ItemFailed
from shared.contract.ids import derive
from tests.gateway.conftest import projecting, publish_log
from tests.gateway.story import Story, at

Log = list[tuple[str, Event]]


async def projected(redis: Redis, writer: AsyncEngine, reader: AsyncEngine, log: Log) -> JobStatus:
    await publish_log(redis, log)
    async with projecting(Projector(redis, writer, block_ms=50)) as projector:
        assert await projector.caught_up(10)
    status = await views.job_status(reader, "job_a")
    assert status is not None
    return status


def without(log: Log, *events: Event) -> Log:
    return [(stream, e) for stream, e in log if e not in events]


def every_url_failed(story: Story) -> Log:
    second = story.fetch_failed.model_copy(
        update={"event_id": "f2", "item_id": story.fetches[0].event_id, "url": story.fetches[0].url}
    )
    failures = [(streams.EVENTS, story.fetch_failed), (streams.EVENTS, second)]
    return [*story.log()[:4], *failures, (streams.SHIPPER, story.completed)]


async def test_a_job_whose_every_url_failed_is_failed_at_the_spider(
    redis: Redis, writer: AsyncEngine, reader: AsyncEngine
) -> None:
    status = await projected(redis, writer, reader, every_url_failed(Story()))
    assert (status.status, status.stage, status.finished) == ("failed", "spider", True)
    assert status.error is not None and status.error.reason == "no_pages_fetched"
    assert "none of the 2 pages" in status.error.detail
    assert (await views.overview(reader)).failed_jobs == 1


async def test_a_job_stopped_by_its_spending_cap_is_failed_at_the_factory(
    redis: Redis, writer: AsyncEngine, reader: AsyncEngine
) -> None:
    story = Story()
    capped = story.factory_failed.model_copy(
        update={"outcome": "skipped", "reason": "budget_exhausted", "cost_usd": 0.0}
    )
    log = [(s, capped if e is story.factory_failed else e) for s, e in story.log()]
    status = await projected(redis, writer, reader, log)
    assert (status.status, status.stage) == ("failed", "factory")
    assert status.error is not None and status.error.reason == "spending_cap_reached"
    assert "1 of 2 chunks" in status.error.detail


async def test_a_failed_export_fails_the_job_until_an_export_is_written(
    redis: Redis, writer: AsyncEngine, reader: AsyncEngine
) -> None:
    story = Story()
    export_failed = ItemFailed(
        event_id=derive(story.completed.event_id, "shipper-failed"),
        job_id=story.job_id,
        stage="shipper",
        item_id=story.completed.event_id,
        reason="disk_full",
        at=at(7),
    )
    log = [*without(story.log(), story.export), (streams.EVENTS, export_failed)]
    status = await projected(redis, writer, reader, log)
    assert (status.status, status.stage) == ("failed", "shipper")
    assert status.error is not None and status.error.reason == "export_failed"
    # A re-export that succeeds settles it.
    status = await projected(redis, writer, reader, [(streams.EVENTS, story.export)])
    assert (status.status, status.stage, status.error) == ("completed", "done", None)


async def test_a_successful_job_is_completed_without_an_error(
    redis: Redis, writer: AsyncEngine, reader: AsyncEngine
) -> None:
    status = await projected(redis, writer, reader, Story().log())
    assert (status.status, status.error) == ("completed", None)


async def test_a_rebuild_fails_the_same_job_for_the_same_reason(
    redis: Redis, writer: AsyncEngine, reader: AsyncEngine, redis_url: str, tmp_path: Path
) -> None:
    live = await projected(redis, writer, reader, every_url_failed(Story()))
    target = tmp_path / "rebuilt.db"
    await replay(redis_url, target)
    engine = reader_engine(sqlite_url_for(target))
    try:
        rebuilt = await views.job_status(engine, "job_a")
    finally:
        await engine.dispose()
    assert rebuilt == live
