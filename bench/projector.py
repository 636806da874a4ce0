"""Projector throughput on a realistic log against the per-event path and bare SQLite.

A log of jobs of pages (~30 events a page: fetch, page, document, chunks, generations,
examples, scores, some failures and dropped chunks) is written to a real redis-server, then
projected into fresh SQLite files three ways in the same run:
- the Projector as the gateway runs it (batches, grouped executemany upserts);
- the per-event path (each event alone in a savepoint, the same statements; what the projector
  falls back to for a failing batch, and how it applied every event before);
- the floor: the same rows, prebuilt, written with bare `sqlite3` executemany (no parsing, no
  derived job columns, no checkpoints).
The batched and per-event databases are compared row for row.
Last line: `ratio: <batched events/s / per-event events/s>`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from redis.asyncio import Redis
from sqlalchemy import Table, create_engine, select
from sqlalchemy.ext.asyncio import AsyncEngine

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import start_redis
from bench.event_log import build, publish
from services.gateway.readmodel import batch
from services.gateway.readmodel.db import create_schema, sqlite_url_for, writer_engine
from services.gateway.readmodel.ledger import ALL_TABLES, checkpoints
from services.gateway.readmodel.projections import project
from services.gateway.readmodel.projector import Projector
from services.gateway.readmodel.stream_log import ORIGIN, Entry, read_batch
from services.gateway.readmodel.tables import metadata
from services.gateway.readmodel.writes import Plan
from shared.contract import streams

TRANSACTION = 500


async def fresh(folder: Path, name: str) -> AsyncEngine:
    engine = writer_engine(sqlite_url_for(folder / name))
    await create_schema(engine)
    return engine


async def batched(redis: Redis, engine: AsyncEngine) -> float:
    projector = Projector(redis, engine, batch=TRANSACTION)
    tips = await projector.tips()
    await projector.load()
    start = time.perf_counter()
    await projector.drain(tips)
    return time.perf_counter() - start


async def per_event(entries: list[Entry], engine: AsyncEngine) -> float:
    start = time.perf_counter()
    for at in range(0, len(entries), TRANSACTION):
        parsed, _ = batch.parse(entries[at : at + TRANSACTION])
        async with engine.begin() as conn:
            for item in parsed:
                await batch.apply_alone(conn, item)
    return time.perf_counter() - start


def _sql(table: Table, columns: tuple[str, ...]) -> str:
    keys = [c.name for c in table.primary_key.columns]
    changed = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in keys)
    marks = ", ".join("?" * len(columns))
    conflict = f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {changed}"
    return f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({marks}) {conflict}"


def _value(value: Any) -> Any:
    return json.dumps(value) if isinstance(value, dict | list) else value


def bare(entries: list[Entry], path: Path) -> float:
    """Seconds to write the log's rows, prebuilt, with sqlite3 executemany, one transaction."""
    schema = create_engine(f"sqlite:///{path}")
    metadata.create_all(schema)
    schema.dispose()
    parsed, _ = batch.parse(entries)
    plan = Plan()
    for item in parsed:
        plan.add(project(item.event))
    groups = [(_sql(t, cols), [tuple(map(_value, r.values())) for r in rows])
              for (t, cols), rows in plan.upserts.items()]  # fmt: skip
    outcomes = [tuple(r.values()) for r in plan.outcomes]
    columns = ", ".join(plan.outcomes[0])
    marks = ", ".join("?" * len(plan.outcomes[0]))
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    start = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    for sql, rows in groups:
        conn.executemany(sql, rows)
    conn.executemany(f"INSERT OR IGNORE INTO outcomes ({columns}) VALUES ({marks})", outcomes)
    conn.execute("COMMIT")
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed


async def snapshot(engine: AsyncEngine) -> list[list[tuple[Any, ...]]]:
    """The read models' rows; the per-event run keeps no checkpoints."""
    tables = [t for t in ALL_TABLES if t is not checkpoints]
    async with engine.connect() as conn:
        return [
            [tuple(r) for r in await conn.execute(select(t).order_by(*t.primary_key.columns))]
            for t in tables
        ]


async def run(jobs: int, pages: int) -> None:
    redis_process, folder = start_redis(), Path(tempfile.mkdtemp(prefix="bench-projector-"))
    redis = Redis.from_url(redis_process.url)
    try:
        log = build(jobs, pages)
        await publish(redis, log)
        entries = await read_batch(
            redis, dict.fromkeys(streams.ALL_STREAMS, ORIGIN), len(log), None
        )
        fast, slow = await fresh(folder, "batched.db"), await fresh(folder, "per_event.db")
        t_batched = await batched(redis, fast)
        t_each = await per_event(entries, slow)
        same = await snapshot(fast) == await snapshot(slow)
        await fast.dispose()
        await slow.dispose()
        t_bare = bare(entries, folder / "bare.db")
    finally:
        await redis.aclose()
        redis_process.stop()
    n = len(log)
    print(f"log: {n} events ({jobs} jobs x {pages} pages), {TRANSACTION} events a transaction")
    for name, seconds in [("batched projector", t_batched), ("per-event path", t_each)]:
        print(f"{name + ':':19} {n / seconds:7.0f} events/s ({seconds * 1e3 / n:.3f} ms/event)")
    print(f"bare sqlite3 rows:  {n / t_bare:7.0f} events/s (floor: prebuilt rows, SQL only)")
    print(f"same rows batched and per event: {same}")
    print(f"batched / bare sqlite3: {t_bare / t_batched:.2f}")
    print(f"ratio: {t_each / t_batched:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=11)
    parser.add_argument("--pages", type=int, default=31)
    args = parser.parse_args()
    asyncio.run(run(args.jobs, args.pages))


if __name__ == "__main__":
    main()
