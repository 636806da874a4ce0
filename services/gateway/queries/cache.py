"""Reads of a job's read models kept until the projector changes that job's rows.

The projector is the read models' one writer and reports, per job, a version that moves with
every batch that may have touched the job (`Projector.version`). A value read at a version is
exact until the version moves, so a finished job's status, polled by every open page, costs
one dictionary lookup instead of a dozen queries."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from services.gateway.readmodel.projector import Projector

T = TypeVar("T")

JOBS_KEPT = 512  # per kind of read; the least recently read go first


class JobReads:
    def __init__(self, projector: Projector, kept: int = JOBS_KEPT) -> None:
        self._projector, self._kept = projector, kept
        self._found: OrderedDict[tuple[str, str], tuple[int, Any]] = OrderedDict()

    async def read(self, kind: str, job_id: str, load: Callable[[], Awaitable[T]]) -> T:
        """`load()`'s value as of the job's current version; None is never kept (a job not
        projected yet is looked up again)."""
        key, version = (kind, job_id), self._projector.version(job_id)
        found = self._found.get(key)
        if found is not None and found[0] == version:
            self._found.move_to_end(key)
            value: T = found[1]
            return value
        # Read after taking the version: a batch applied meanwhile moves it, so a stale
        # value is never kept under the new one.
        value = await load()
        if value is not None:
            self._found[key] = (version, value)
            self._found.move_to_end(key)
            while len(self._found) > self._kept * 4:
                self._found.popitem(last=False)
        return value
