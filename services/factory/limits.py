"""Bounds in-flight LLM calls: the seam where a cross-replica (Redis) limiter plugs in."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Protocol
from weakref import WeakValueDictionary


class CallLimiter(Protocol):
    def slot(self, job_id: str, limit: int) -> AbstractAsyncContextManager[None]:
        """Held around one LLM call; `limit` is the job's `max_concurrent_llm`."""
        ...


class LocalLimiter:
    """Per process: at most `limit` calls of one job and `process_limit` calls in all.

    The job bound holds per replica only; N replicas may run N x limit calls of a job.
    """

    def __init__(self, process_limit: int) -> None:
        self._process = asyncio.Semaphore(process_limit)
        # A job's semaphore lives while a call holds it, so finished jobs leave nothing behind.
        self._jobs: WeakValueDictionary[str, asyncio.Semaphore] = WeakValueDictionary()

    @asynccontextmanager
    async def slot(self, job_id: str, limit: int) -> AsyncIterator[None]:
        job = self._jobs.get(job_id)
        if job is None:
            job = self._jobs[job_id] = asyncio.Semaphore(limit)
        async with job, self._process:
            yield
