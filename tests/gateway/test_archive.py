"""The log's old entries move from Redis to files once every reader passed them; a rebuild
from archive and streams still gives the rows of the live projection."""

from __future__ import annotations

import asyncio
from pathlib import Path

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from services.gateway.readmodel.archive import Archiver
from services.gateway.readmodel.projector import Projector
from services.gateway.readmodel.rebuild import rebuild
from shared.contract import streams
from shared.ops import log_archive
from shared.runtime.runtime import ensure_group
from shared.settings import Settings
from tests.gateway.conftest import projecting, publish_log
from tests.gateway.test_rebuild import snapshot, snapshot_of, two_jobs
from tests.helpers import group_read


async def lengths(redis: Redis) -> dict[str, int]:
    return {s: await redis.xlen(s) for s in streams.ALL_STREAMS}


async def test_entries_every_reader_passed_are_archived_and_a_rebuild_reads_them(
    redis: Redis, writer: AsyncEngine, reader: AsyncEngine, settings: Settings, tmp_path: Path
) -> None:
    log = two_jobs()
    # A stage's group has read the factory's entries; it acked all but the last one.
    await ensure_group(redis, streams.FACTORY, "factory")
    async with projecting(Projector(redis, writer, block_ms=50)) as projector:
        await publish_log(redis, log)
        assert await projector.caught_up(10)
        read = group_read(await redis.xreadgroup("factory", "c1", {streams.FACTORY: ">"}))
        held = [entry_id for entry_id, _ in read]
        await redis.xack(streams.FACTORY, "factory", *held[:-1])
        before = await lengths(redis)
        archiver = Archiver(redis, settings.data_dir, lambda: projector.positions, keep_s=0)
        moved = await archiver.once()
        assert await archiver.once() == 0, "nothing is archived twice"
    after = await lengths(redis)
    assert moved == sum(before.values()) - sum(after.values()) > 0
    assert after[streams.FACTORY] == 1, "the unacked entry stays until the group passes it"
    assert after[streams.EVENTS] == 0
    assert len(list(log_archive.read(settings.data_dir, streams.EVENTS))) == before[streams.EVENTS]
    target = tmp_path / "rebuilt.db"
    assert await asyncio.to_thread(rebuild, settings, target) == len(log)
    assert await snapshot_of(target) == await snapshot(reader)


async def test_recent_entries_stay_in_redis(
    redis: Redis, writer: AsyncEngine, settings: Settings
) -> None:
    async with projecting(Projector(redis, writer, block_ms=50)) as projector:
        await publish_log(redis, two_jobs())
        assert await projector.caught_up(10)
        archiver = Archiver(redis, settings.data_dir, lambda: projector.positions, keep_s=3600)
        assert await archiver.once() == 0
