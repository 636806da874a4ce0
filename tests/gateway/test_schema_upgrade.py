"""A database projected under an older schema is replayed from the log when the gateway starts."""

from __future__ import annotations

from pathlib import Path

from redis.asyncio import Redis
from sqlalchemy import Table, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from services.gateway.app import create_app
from services.gateway.readmodel.db import (
    create_schema,
    outdated,
    reader_engine,
    sqlite_url_for,
    writer_engine,
)
from services.gateway.readmodel.projector import Projector
from services.gateway.readmodel.tables import jobs, spending
from shared.settings import Settings
from tests.gateway.conftest import projecting, publish_log
from tests.gateway.story import Story


async def count(engine: AsyncEngine, table: Table) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(table))).scalar_one())


async def old_database(redis: Redis, path: Path) -> None:
    """The story projected, then the spending table gone as if it had not existed yet."""
    engine = writer_engine(sqlite_url_for(path))
    try:
        await create_schema(engine)
        async with projecting(Projector(redis, engine, block_ms=50)) as projector:
            assert await projector.caught_up(10)
        async with engine.begin() as conn:
            await conn.exec_driver_sql("DROP TABLE spending")
            await conn.exec_driver_sql("PRAGMA user_version=1")
        assert await outdated(engine)
    finally:
        await engine.dispose()


async def test_an_outdated_database_is_replayed_before_the_gateway_serves(
    redis: Redis, settings: Settings
) -> None:
    await publish_log(redis, Story().log())
    path = settings.data_dir / "datafactory.db"
    await old_database(redis, path)
    app = create_app(settings, dashboard=False)
    async with app.router.lifespan_context(app):
        pass
    engine = reader_engine(sqlite_url_for(path))
    try:
        assert await count(engine, spending) == 2
        assert await count(engine, jobs) == 1
        assert not await outdated(engine)
    finally:
        await engine.dispose()


async def test_a_current_database_is_left_as_it_is(redis: Redis, writer: AsyncEngine) -> None:
    await publish_log(redis, Story().log())
    async with projecting(Projector(redis, writer, block_ms=50)) as projector:
        assert await projector.caught_up(10)
    assert not await outdated(writer)
