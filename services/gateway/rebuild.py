"""Rebuilds the read models from the whole log into a fresh SQLite file."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from redis.asyncio import Redis

from services.gateway.db import create_schema, sqlite_url_for, writer_engine
from services.gateway.projector import Projector
from shared.settings import Settings

log = logging.getLogger("datafactory.gateway.rebuild")


def _remove_database(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)


async def replay(redis_url: str, target: Path, *, batch: int = 500) -> int:
    """Replays every stream from id 0 up to its current tip; returns the events applied.

    The database is built beside `target` and moved into place when complete, so a failed
    replay leaves `target` as it was. Do not point it at the file of a running gateway.
    """
    building = target.with_name(target.name + ".rebuilding")
    _remove_database(building)
    engine = writer_engine(sqlite_url_for(building))
    redis = Redis.from_url(redis_url)
    try:
        await create_schema(engine)
        projector = Projector(redis, engine, batch=batch)
        await projector.drain(await projector.tips())
    finally:
        await engine.dispose()
        await redis.aclose()
    _remove_database(target)
    building.replace(target)
    log.info(
        "rebuilt %s from %d events; %d entries not projected (see projection_failures)",
        target,
        projector.applied,
        projector.failed,
    )
    return projector.applied


def rebuild(settings: Settings, target_db_path: Path, *, batch: int = 500) -> int:
    """Replays the log of `settings.redis_dsn` into `target_db_path`; returns events applied."""
    return asyncio.run(replay(settings.redis_dsn, Path(target_db_path), batch=batch))
