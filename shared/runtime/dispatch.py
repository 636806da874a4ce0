"""Turns a read of entries into outcomes: validate, skip cancelled jobs, handle, queue commits."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from typing import Any

from redis.asyncio import Redis

from shared.contract import streams, wire
from shared.contract.events import Event, parse_event
from shared.contract.jobconfig import JobConfigs
from shared.ops.metrics import StageMetrics
from shared.runtime.commit import Settle
from shared.runtime.commit_queue import CommitQueue
from shared.runtime.gather import Gatherer
from shared.runtime.poison import dead_letter, salvage
from shared.runtime.stage import BatchHandler, Handler, Outcome, StageSpec, Work, failure

log = logging.getLogger("datafactory.runtime")

Entry = tuple[str, Any]  # entry id, raw fields


class Dispatcher:
    def __init__(
        self,
        spec: StageSpec,
        redis: Redis,
        queue: CommitQueue,
        released: set[str],
        max_deliveries: int,
        time_limit_s: float,
        batch_size: int,
        known_secrets: Sequence[str] = (),
        metrics: StageMetrics | None = None,
    ) -> None:
        self.spec, self._redis, self._queue = spec, redis, queue
        self._released, self._max_deliveries = released, max_deliveries
        self._time_limit_s = spec.time_limit_s or time_limit_s
        self._configs = JobConfigs(redis)
        self._slots = asyncio.Semaphore(spec.concurrency)
        self._running: set[asyncio.Task[None]] = set()
        self._gatherer = Gatherer(self._run_batch, batch_size, spec.linger_s)
        self._secrets = known_secrets
        self._metrics = metrics

    async def take(self, entries: Sequence[Entry], reclaimed: bool) -> None:
        """Returns once every item is handled or, for item handlers, started. Whatever goes
        wrong here (Redis away mid-read) releases the entries for redelivery: no entry may
        stay pending and leased with nobody working on it."""
        try:
            works = await self._admit(entries, reclaimed)
        except Exception as exc:
            self._release([entry_id for entry_id, _ in entries], exc)
            return
        for kind in dict.fromkeys(type(w.event) for w in works):
            group = [w for w in works if type(w.event) is kind]
            if kind in self.spec.batch_handlers:
                await self._gatherer.add(kind, group)
            else:
                # What was read before these items is handled before them (a job's examples
                # are staged before its completion starts the export).
                await self._gatherer.flush()
                await self._start(self.spec.handlers[kind], group)

    def _release(self, entry_ids: list[str], exc: Exception) -> None:
        """Stops renewing the entries' leases: they go idle and a replica takes them again."""
        self._released.update(entry_ids)
        log.warning("%s: released %d entries: %r", self.spec.name, len(entry_ids), exc)

    async def drain(self, timeout: float) -> None:
        await self._gatherer.drain()
        if self._running:
            await asyncio.wait(self._running, timeout=timeout)

    async def _run_batch(self, kind: type[Any], works: list[Work[Any]]) -> None:
        try:
            await self._batch(self.spec.batch_handlers[kind], works)
        except Exception as exc:
            self._release([w.entry_id for w in works], exc)

    async def _admit(self, entries: Sequence[Entry], reclaimed: bool) -> list[Work[Any]]:
        parsed, settles = [], []
        for entry_id, fields in entries:
            self._released.discard(entry_id)
            try:
                event = parse_event(wire.decode_fields(fields))
                if not self.spec.accepts(event):
                    raise ValueError(f"{self.spec.name} takes no {type(event).__name__}")
            except ValueError as exc:  # pydantic's ValidationError is a ValueError
                reason = f"invalid: {exc}"[:500]
                settles.append(self._dead(entry_id, fields, salvage(fields), reason))
                continue
            if (
                reclaimed
                and (deliveries := await self._deliveries(entry_id)) > self._max_deliveries
            ):
                reason = f"crashed {deliveries - 1} times"
                settles.append(self._dead(entry_id, fields, event, reason))
                continue
            parsed.append((entry_id, fields, event))
        works = await self._with_configs(parsed, settles)
        self._queue.put(settles)
        return works

    async def _with_configs(self, parsed: list[Any], settles: list[Settle]) -> list[Work[Any]]:
        jobs = [event.job_id for _, _, event in parsed]
        configs = await self._configs.get_many(jobs)
        cancelled = await self._cancelled([e for _, _, e in parsed if e.tallied])
        works = []
        for entry_id, fields, event in parsed:
            if event.tallied and event.job_id in cancelled:
                skip = failure(self.spec.name, event, "cancelled", outcome="skipped")
                settles.append(Settle(entry_id, event.job_id, event.tallied, [skip]))
            elif event.job_id not in configs:
                reason = f"unknown_job: no config for job {event.job_id!r}"
                settles.append(self._dead(entry_id, fields, event, reason))
            else:
                works.append(Work(entry_id, event, configs[event.job_id]))
        return works

    async def _cancelled(self, events: list[Event]) -> set[str]:
        jobs = list(dict.fromkeys(e.job_id for e in events))
        if not jobs:
            return set()
        flags = await self._redis.smismember(streams.CANCELLED_JOBS, jobs)
        return {job for job, flag in zip(jobs, flags, strict=True) if flag}

    async def _batch(self, handler: BatchHandler, works: list[Work[Any]]) -> None:
        started = time.perf_counter()
        try:
            async with asyncio.timeout(self._time_limit_s):
                outcomes = await handler(works)
        except Exception:
            log.warning(
                "%s: a batch of %d failed; handling its items alone", self.spec.name, len(works)
            )
            outcomes = [await _alone(handler, work, self._time_limit_s) for work in works]
        errors = sum(isinstance(outcome, Exception) for outcome in outcomes)
        self._observe(started, len(works), errors)
        settles: list[Settle] = []
        for work, outcome in zip(works, outcomes, strict=True):
            settles += await self._settle(work, outcome)
        self._queue.put(settles)

    async def _start(self, handler: Handler, works: list[Work[Any]]) -> None:
        for work in works:
            await self._slots.acquire()
            task = asyncio.create_task(self._one(handler, work))
            self._running.add(task)
            task.add_done_callback(self._running.discard)

    async def _one(self, handler: Handler, work: Work[Any]) -> None:
        started = time.perf_counter()
        try:
            try:
                async with asyncio.timeout(self._time_limit_s):
                    outcome: Outcome = await handler(work.event, work.config)
            except Exception as exc:
                outcome = exc
            self._observe(started, 1, int(isinstance(outcome, Exception)))
            self._queue.put(await self._settle(work, outcome))
        except Exception as exc:
            self._release([work.entry_id], exc)
        finally:
            self._slots.release()

    def _observe(self, started: float, items: int, errors: int) -> None:
        if self._metrics is not None:
            self._metrics.observe(time.perf_counter() - started, items, errors)

    async def _settle(self, work: Work[Any], outcome: Outcome) -> list[Settle]:
        event = work.event
        if not isinstance(outcome, Exception):
            return [Settle(work.entry_id, event.job_id, event.tallied, outcome)]
        deliveries = await self._deliveries(work.entry_id)
        if deliveries < self._max_deliveries:
            # Not settled and no longer leased: the entry goes idle and is redelivered.
            self._released.add(work.entry_id)
            log.warning(
                "%s: %s failed (delivery %d): %r",
                self.spec.name,
                work.entry_id,
                deliveries,
                outcome,
            )
            return []
        log.error("%s: %s failed %d times: %r", self.spec.name, work.entry_id, deliveries, outcome)
        raw = {wire.DATA_FIELD: wire.encode(event)}
        reason = f"handler_error: {outcome!r}"[:500]
        return [self._dead(work.entry_id, raw, event, reason)]

    def _dead(self, entry_id: str, fields: Any, event: Event | None, reason: str) -> Settle:
        return dead_letter(self.spec, entry_id, fields, event, reason, self._secrets)

    async def _deliveries(self, entry_id: str) -> int:
        found = await self._redis.xpending_range(
            self.spec.stream, self.spec.name, entry_id, entry_id, 1
        )
        return int(found[0]["times_delivered"]) if found else 1


async def _alone(handler: BatchHandler, work: Work[Any], time_limit_s: float) -> Outcome:
    try:
        async with asyncio.timeout(time_limit_s):
            return (await handler([work]))[0]
    except Exception as exc:
        return exc
