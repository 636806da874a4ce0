"""Group commit: outcomes queue up while a commit is in flight and go in the next one."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from redis.exceptions import RedisError

from shared.runtime.commit import Committer, Settle
from shared.runtime.semaphore import drop_idle_connections

log = logging.getLogger("datafactory.commit")

# One script call settles at most this many entries, so Redis never blocks for long.
MAX_PER_COMMIT = 500
# A commit that keeps failing (Redis away) is retried this often before its entries are
# released for redelivery instead of being held, and leased, forever.
ATTEMPTS = 5
BACKOFF_S = 0.2


class CommitQueue:
    def __init__(self, committer: Committer, stream: str, group: str, released: set[str]) -> None:
        self._committer, self._stream, self._group = committer, stream, group
        self._released = released
        self._queue: list[Settle] = []
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._task: asyncio.Task[None] | None = None

    def put(self, items: list[Settle]) -> None:
        if items:
            self._queue.extend(items)
            self._idle.clear()
            self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def drain(self, timeout: float) -> None:
        """Waits until every queued outcome is committed (or released)."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                await self._idle.wait()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._queue:
                batch = self._queue[:MAX_PER_COMMIT]
                del self._queue[:MAX_PER_COMMIT]
                await self._commit(batch)
            self._idle.set()

    async def _commit(self, batch: list[Settle]) -> None:
        for attempt in range(1, ATTEMPTS + 1):
            try:
                await self._committer.commit(self._stream, self._group, batch)
                return
            except RedisError as exc:
                log.warning("commit of %d entries failed (%d): %r", len(batch), attempt, exc)
                await asyncio.sleep(BACKOFF_S * 2**attempt)
                await drop_idle_connections(self._committer.redis)
            except Exception:
                # Not Redis: retrying cannot help, and the loop must live on for other work.
                log.exception("commit of %d entries failed", len(batch))
                break
        # Unsettled entries stay pending; without lease renewal they are redelivered.
        self._released.update(item.entry_id for item in batch)
        log.error("released %d entries after %d failed commits", len(batch), ATTEMPTS)
