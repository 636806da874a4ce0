"""Runs refining in a worker process with a hard time limit: a pathological page is killed."""

from __future__ import annotations

import asyncio
import multiprocessing
from collections.abc import Callable
from concurrent.futures import TimeoutError as FutureTimeout
from typing import ParamSpec, TypeVar

from pebble import ProcessExpired, ProcessPool

P = ParamSpec("P")
T = TypeVar("T")

# Workers fork from a server that imported this module and loaded the models, so a worker
# replaced after a kill or a recycle starts warm, and none inherits the event loop's threads.
PRELOAD = "services.refiner.preload"


class Overrun(Exception):
    """The task was killed: it ran past its time limit, or its process died."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason, self.detail = reason, detail


class WorkerPool:
    """One worker process per pool (a replica uses one core); a killed worker is replaced.

    Like every forkserver pool, a script that starts one needs an `if __name__ == "__main__"`
    guard: new processes import the main script (`python -m` modules are exempt)."""

    def __init__(self, workers: int = 1, max_tasks: int = 500) -> None:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([PRELOAD])
        # Recycling a worker now and then keeps its memory flat whatever pages it parsed.
        self._pool = ProcessPool(max_workers=workers, max_tasks=max_tasks, context=context)

    async def run(self, timeout: float, fn: Callable[P, T], *args: P.args, **kw: P.kwargs) -> T:
        """`fn(*args)` in a worker; raises Overrun when it is killed, else what `fn` raises."""
        future = self._pool.schedule(fn, args=args, kwargs=kw, timeout=timeout)
        try:
            return await asyncio.wrap_future(future)
        except FutureTimeout:
            raise Overrun("extract_timeout", f"over {timeout:g}s") from None
        except ProcessExpired as exc:
            raise Overrun("extract_crashed", repr(exc)) from None

    def close(self) -> None:
        self._pool.stop()  # type: ignore[no-untyped-call]
        self._pool.join()
