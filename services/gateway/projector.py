"""The one SQLite writer: reads every stream from its checkpoints and applies each event.

Rows and the new checkpoints are written in the same transaction, so a crash or a restart
re-applies nothing twice; projections are idempotent anyway. Streams are never trimmed here.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from redis.asyncio import Redis
from sqlalchemy import select
from sqlalchemy.dialects.sqlite import insert
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from services.gateway.projections import apply
from services.gateway.stream_log import ORIGIN, Entry, reached, read_batch, tips
from services.gateway.tables import checkpoints
from shared import streams, wire
from shared.events import parse_event

log = logging.getLogger("datafactory.gateway.projector")


def _being_cancelled() -> bool:
    """redis-py may turn a cancellation during a blocking read into a ConnectionError."""
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


class Projector:
    def __init__(
        self, redis: Redis, engine: AsyncEngine, *, batch: int = 500, block_ms: int = 250
    ) -> None:
        self._redis, self._engine = redis, engine
        self._batch, self._block_ms = batch, block_ms
        self._positions = dict.fromkeys(streams.ALL_STREAMS, ORIGIN)
        self._changed = asyncio.Condition()
        self._generation = 0
        self._loaded = False
        self._stopping = False
        self.applied = 0

    @property
    def positions(self) -> dict[str, str]:
        return dict(self._positions)

    async def load(self) -> None:
        async with self._engine.connect() as conn:
            rows = (await conn.execute(select(checkpoints))).all()
        self._positions.update({row.stream: row.last_id for row in rows})
        self._loaded = True

    async def run(self) -> None:
        """Projects until stopped; a failing step (Redis or SQLite away) is retried."""
        self._stopping = False
        while not self._stopping:
            try:
                if not self._loaded:
                    await self.load()
                await self.step(self._block_ms)
            except Exception:
                if _being_cancelled():
                    raise asyncio.CancelledError from None
                log.exception("projection step failed; retrying from the last checkpoint")
                await asyncio.sleep(1.0)

    def stop(self) -> None:
        """Ends `run` after the current step, within `block_ms` when idle.

        Cancelling the task instead can leave redis-py waiting on a dead blocking read.
        """
        self._stopping = True

    async def step(self, block_ms: int | None = None) -> int:
        """Reads one batch from all streams and applies it; returns the entries consumed."""
        entries = await self._read(block_ms)
        if entries:
            await self._apply(entries)
            await self._notify()
        return len(entries)

    async def _read(self, block_ms: int | None) -> list[Entry]:
        return await read_batch(self._redis, self._positions, self._batch, block_ms)

    async def _apply(self, entries: list[Entry]) -> None:
        positions, applied = dict(self._positions), 0
        async with self._engine.begin() as conn:
            for stream, entry_id, fields in entries:
                applied += await self._apply_one(conn, stream, entry_id, fields)
                positions[stream] = entry_id
            for stream, last_id in positions.items():
                stmt = insert(checkpoints).values(stream=stream, last_id=last_id)
                await conn.execute(
                    stmt.on_conflict_do_update(index_elements=["stream"], set_={"last_id": last_id})
                )
        self._positions = positions
        self.applied += applied

    async def _apply_one(self, conn: AsyncConnection, stream: str, entry_id: str, raw: Any) -> int:
        try:
            event = parse_event(wire.decode_fields(raw))
        except ValueError as exc:  # pydantic's ValidationError is a ValueError
            log.warning("skipping malformed entry %s on %s: %s", entry_id, stream, exc)
            return 0
        try:
            async with conn.begin_nested():
                await apply(conn, event)
        except OperationalError:
            raise  # the database itself failed: retry the whole batch
        except Exception:
            log.exception("skipping entry %s on %s: its projection failed", entry_id, stream)
            return 0
        return 1

    async def _notify(self) -> None:
        async with self._changed:
            self._generation += 1
            self._changed.notify_all()

    async def tips(self) -> dict[str, str]:
        return await tips(self._redis)

    def reached(self, targets: dict[str, str]) -> bool:
        return reached(self._positions, targets)

    async def caught_up(self, timeout: float) -> bool:
        """Waits until everything on the streams now has been projected."""
        targets = await self.tips()
        return await self._wait(lambda: self.reached(targets), timeout)

    async def wait_for_change(self, timeout: float) -> bool:
        seen = self._generation
        return await self._wait(lambda: self._generation != seen, timeout)

    async def _wait(self, done: Callable[[], bool], timeout: float) -> bool:
        async with self._changed:
            try:
                async with asyncio.timeout(timeout):
                    await self._changed.wait_for(done)
            except TimeoutError:
                return done()
        return True

    async def drain(self, targets: dict[str, str]) -> None:
        """Applies batches without blocking until `targets` are reached (for replays)."""
        if not self._loaded:
            await self.load()
        while not self.reached(targets):
            if await self.step(None) == 0:
                break
