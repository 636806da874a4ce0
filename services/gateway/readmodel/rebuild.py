"""Rebuilds the read models from the whole log into a fresh SQLite file."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from redis.asyncio import Redis

from services.gateway.readmodel.db import create_schema, sqlite_url_for, writer_engine
from services.gateway.readmodel.projector import Projector
from shared.contract import streams
from shared.ops import log_archive
from shared.settings import Settings

log = logging.getLogger("datafactory.gateway.rebuild")


def _remove_database(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)


async def _replay_archive(projector: Projector, data_dir: Path, batch: int) -> None:
    """The entries already moved out of Redis, stream by stream (projections do not depend
    on the order across streams)."""
    for stream in streams.ALL_STREAMS:
        entries = list(log_archive.read(data_dir, stream))
        for start in range(0, len(entries), batch):
            await projector.apply_entries(entries[start : start + batch])


async def replay(
    redis_url: str, target: Path, *, batch: int = 500, data_dir: Path | None = None
) -> int:
    """Replays every stream from id 0 (the archive under `data_dir` first) up to its current
    tip; returns the events applied.

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
        if data_dir is not None:
            await _replay_archive(projector, data_dir, batch)
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
    target = Path(target_db_path)
    return asyncio.run(replay(settings.redis_dsn, target, batch=batch, data_dir=settings.data_dir))
