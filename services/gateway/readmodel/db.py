"""SQLite engines for the read models: WAL, busy timeout, BEGIN IMMEDIATE for the writer."""

from __future__ import annotations

import zlib
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry

from services.gateway.readmodel.ledger import checkpoints
from services.gateway.readmodel.tables import metadata

BUSY_TIMEOUT_MS = 10_000


def sqlite_url_for(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


def _ensure_parent(url: str) -> None:
    path = database_path(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)


def _engine(url: str, begin: str, **kwargs: Any) -> AsyncEngine:
    """An engine whose transactions start with `begin`, SQLite's own BEGIN handling disabled."""
    _ensure_parent(url)
    engine = create_async_engine(url, **kwargs)

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql(begin)

    return engine


def writer_engine(url: str) -> AsyncEngine:
    """The one writer: a deferred BEGIN that reads then writes fails under concurrency."""
    return _engine(url, "BEGIN IMMEDIATE", pool_size=1, max_overflow=0)


def reader_engine(url: str) -> AsyncEngine:
    return _engine(url, "BEGIN")


def database_path(url: str) -> Path | None:
    """The SQLite file behind `url`, or None for an in-memory database."""
    database = make_url(url).database
    return Path(database) if database and database != ":memory:" else None


def schema_version() -> int:
    """A fingerprint of the read models' tables, columns and indexes (SQLite's user_version)."""
    shapes = sorted(
        [t.name, *(c.name for c in t.columns), *sorted(str(i.name) for i in t.indexes)]
        for t in metadata.sorted_tables
    )
    return zlib.crc32(repr(shapes).encode()) & 0x7FFFFFFF


async def create_schema(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
        await conn.exec_driver_sql(f"PRAGMA user_version={schema_version()}")


async def outdated(engine: AsyncEngine) -> bool:
    """Whether rows were projected under another schema: a table or column added since holds
    nothing of the log already applied, so the read models must be replayed."""
    async with engine.connect() as conn:
        version = (await conn.exec_driver_sql("PRAGMA user_version")).scalar()
        tables = await conn.run_sync(lambda sync: sync.dialect.get_table_names(sync))
        if checkpoints.name not in tables:
            return False
        applied = (await conn.execute(checkpoints.select().limit(1))).first()
    return applied is not None and version != schema_version()
