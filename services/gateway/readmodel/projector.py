"""The one SQLite writer: reads every stream from its checkpoints and applies it in batches.

Each batch's rows, failures and new checkpoints are written in one transaction, so a crash or
a restart re-applies nothing twice; projections are idempotent anyway. Streams are never
trimmed here.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from redis.asyncio import Redis
from sqlalchemy import select
from sqlalchemy.dialects.sqlite import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from services.gateway.readmodel import batch
from services.gateway.readmodel.ledger import checkpoints
from services.gateway.readmodel.stream_log import ORIGIN, Entry, reached, read_batch, tips
from shared.contract import streams

log = logging.getLogger("datafactory.gateway.projector")

_CHECKPOINT = insert(checkpoints)
_CHECKPOINT = _CHECKPOINT.on_conflict_do_update(
    index_elements=["stream"], set_={"last_id": _CHECKPOINT.excluded.last_id}
)


def _being_cancelled() -> bool:
    """redis-py may turn a cancellation during a blocking read into a ConnectionError."""
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


class Projector:
    def __init__(
        self,
        redis: Redis,
        engine: AsyncEngine,
        *,
        batch: int = 500,
        block_ms: int = 250,
        linger_s: float = 0.1,
    ) -> None:
        self._redis, self._engine = redis, engine
        self._batch, self._block_ms, self._linger_s = batch, block_ms, linger_s
        self._positions = dict.fromkeys(streams.ALL_STREAMS, ORIGIN)
        self._changed = asyncio.Condition()
        self._generation = 0
        # The batch that last changed each job's rows, and the last that may have changed any.
        self._job_changed: dict[str, int] = {}
        self._all_changed = 0
        self._loaded = False
        self._stopping = False
        self.applied = 0
        self.failed = 0

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
                if 0 < await self.step(self._block_ms) < self._batch:
                    # A short batch costs nearly what a full one does (the per-job totals
                    # and statuses are recomputed per batch): let the log fill up a little.
                    await asyncio.sleep(self._linger_s)
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
        return len(entries)

    async def _read(self, block_ms: int | None) -> list[Entry]:
        return await read_batch(self._redis, self._positions, self._batch, block_ms)

    async def apply_entries(self, entries: list[Entry]) -> None:
        """Applies entries read elsewhere (the log's archive) as if read from the streams."""
        await self._apply(entries)

    async def _apply(self, entries: list[Entry]) -> None:
        """One transaction per `batch` entries; a read may return up to that per stream."""
        for start in range(0, len(entries), self._batch):
            await self._apply_batch(entries[start : start + self._batch])
            await self._notify()

    async def _apply_batch(self, entries: list[Entry]) -> None:
        positions = dict(self._positions)
        positions.update((stream, entry_id) for stream, entry_id, _ in entries)
        async with self._engine.begin() as conn:
            applied, failed, changed = await batch.apply(conn, entries)
            rows = [{"stream": s, "last_id": last} for s, last in positions.items()]
            await conn.execute(_CHECKPOINT, rows)
        self._positions = positions
        self.applied += applied
        self.failed += failed
        if changed is None:
            self._all_changed = self._generation + 1
        else:
            self._job_changed.update(dict.fromkeys(changed, self._generation + 1))

    def version(self, job_id: str) -> int:
        """Grows whenever a batch applied may have changed the job's rows: what was read of
        the job at one version holds until the version moves."""
        return max(self._job_changed.get(job_id, 0), self._all_changed)

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

    async def passed(self, targets: dict[str, str], timeout: float) -> bool:
        """Waits until the projector has applied (or recorded) the given entries."""
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
