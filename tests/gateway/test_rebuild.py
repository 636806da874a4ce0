"""Rebuilding from the log gives the very rows the live projector wrote."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from redis.asyncio import Redis
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from services.gateway.readmodel.db import reader_engine, sqlite_url_for
from services.gateway.readmodel.ledger import ALL_TABLES
from services.gateway.readmodel.projector import Projector
from services.gateway.readmodel.rebuild import rebuild, replay
from shared.contract import streams
from shared.contract.events import JobCancelled, ProjectCreated
from shared.settings import Settings
from tests.gateway.conftest import projecting, publish_log
from tests.gateway.story import Story, at


async def snapshot(engine: AsyncEngine) -> dict[str, list[tuple[Any, ...]]]:
    async with engine.connect() as conn:
        return {
            t.name: [
                tuple(row) for row in await conn.execute(select(t).order_by(*t.primary_key.columns))
            ]
            for t in ALL_TABLES
        }


async def snapshot_of(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    engine = reader_engine(sqlite_url_for(path))
    try:
        return await snapshot(engine)
    finally:
        await engine.dispose()


def two_jobs() -> list[tuple[str, Any]]:
    first, second = Story("job_a", "proj_a"), Story("job_b", "proj_b")
    cancel = JobCancelled(event_id="cancel_b", job_id="job_b", at=at(2.2))
    other = ProjectCreated(event_id="pc_c", job_id="", project_id="proj_c", name="C", at=at(8))
    # The second job is cancelled part-way: its log ends after the spider.
    return [*first.log(), *second.log()[:6], (streams.EVENTS, cancel), (streams.EVENTS, other)]


async def test_rebuild_gives_the_rows_of_the_live_projection(
    redis: Redis, writer: AsyncEngine, reader: AsyncEngine, settings: Settings, tmp_path: Path
) -> None:
    log = two_jobs()
    async with projecting(Projector(redis, writer, block_ms=50)) as projector:
        for stream, event in log:  # entry by entry, as a live pipeline would write them
            await publish_log(redis, [(stream, event)])
        assert await projector.caught_up(10)
    live = await snapshot(reader)
    assert sum(len(rows) for rows in live.values()) > 20

    target = tmp_path / "rebuilt.db"
    applied = await asyncio.to_thread(rebuild, settings, target)
    assert applied == len(log)
    assert await snapshot_of(target) == live


async def test_rebuild_rows_do_not_depend_on_how_streams_interleave(
    redis: Redis, settings: Settings, tmp_path: Path
) -> None:
    # Published stream by stream, scores land before the examples they carry.
    log = sorted(two_jobs(), key=lambda item: streams.ALL_STREAMS[::-1].index(item[0]))
    await publish_log(redis, log)
    whole, small = tmp_path / "whole.db", tmp_path / "small.db"
    assert await replay(settings.redis_dsn, whole) == len(log)
    assert await replay(settings.redis_dsn, small, batch=2) == len(log)
    assert await snapshot_of(small) == await snapshot_of(whole)


async def test_rebuild_replaces_an_existing_database_file(
    redis: Redis, settings: Settings, tmp_path: Path
) -> None:
    await publish_log(redis, Story().log())
    target = tmp_path / "read.db"
    target.write_text("not a database")
    assert await replay(settings.redis_dsn, target) == len(Story().log())
    assert len((await snapshot_of(target))["jobs"]) == 1


async def test_rebuild_records_the_failures_the_live_projection_recorded(
    redis: Redis, writer: AsyncEngine, reader: AsyncEngine, settings: Settings, tmp_path: Path
) -> None:
    story = Story()
    story.page = story.page.model_copy(update={"status_code": 2**70})  # no SQLite INTEGER fits
    async with projecting(Projector(redis, writer, block_ms=50)) as projector:
        await redis.xadd(streams.EVENTS, {"__data__": b"not json at all"})
        for stream, event in story.log():
            await publish_log(redis, [(stream, event)])
        assert await projector.caught_up(10)
    live = await snapshot(reader)
    assert len(live["projection_failures"]) == 2

    target = tmp_path / "rebuilt.db"
    assert await asyncio.to_thread(rebuild, settings, target) == len(story.log()) - 1
    assert await snapshot_of(target) == live
