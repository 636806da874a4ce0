"""The shipper's I/O shell: stages scored examples in blob storage and, once a job completes
or an export is asked for, reads the job's facts from the log and writes its export."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path

import pyarrow as pa
from redis.asyncio import Redis

from services.shipper import columns, dedup, history, logic, outcomes, project, reviews, staging
from services.shipper.export import export, found, target
from services.shipper.facts import JobFacts
from services.shipper.manifest import ExportSpec
from shared.contract import streams
from shared.contract.config import JobConfig
from shared.contract.events import (
    Event,
    ExampleScored,
    ExportJob,
    ExportWritten,
    JobCompleted,
    export_id,
)
from shared.ops import retention
from shared.runtime import costs
from shared.runtime.commit import Emit
from shared.runtime.stage import Outcome, Work
from shared.storage.blobs import Storage


class Shipper:
    def __init__(
        self, data_dir: Path, storage: Storage, redis: Redis, per_1k: float | None = None
    ) -> None:
        self.data_dir, self.storage, self.redis, self.per_1k = data_dir, storage, redis, per_1k

    async def stage(self, works: list[Work[ExampleScored]]) -> list[Outcome]:
        """One staged file per job in the batch, named after the batch's first entry."""
        by_job: dict[str, list[Work[ExampleScored]]] = defaultdict(list)
        for work in works:
            by_job[work.event.job_id].append(work)
        for job_id, batch in by_job.items():
            scored = [w.event for w in batch]
            name, min_score = batch[0].entry_id, batch[0].config.quality.min_score
            args = (self.storage, job_id, name, scored, min_score)
            await asyncio.to_thread(staging.put, *args)
        return [[] for _ in works]

    async def ship(self, done: JobCompleted, config: JobConfig) -> list[Emit]:
        """The job's export; then its working state in Redis may go (a redelivered
        JobCompleted finds the export already written and expires nothing new)."""
        emits = await self._export(done, config)
        await retention.expire_job(self.redis, done.job_id)
        return emits

    async def reexport(self, request: ExportJob, config: JobConfig) -> list[Emit]:
        outstanding = await self.redis.hget(streams.tally_key(request.job_id), "outstanding")
        if not logic.finished(outstanding):
            return [outcomes.not_finished(request)]
        return await self._export(request, config.model_copy(update={"export": request.export}))

    async def _export(self, cause: Event, config: JobConfig) -> list[Emit]:
        spec = ExportSpec(cause.job_id, export_id(cause), cause.at, config)
        facts = await history.job_facts(self.redis, cause.job_id, self.data_dir)
        if model := logic.priced_model(config, facts):
            args = (model, facts.prompt_tokens, facts.completion_tokens, facts.cost_usd)
            # Prices come from litellm's map, imported on first use (seconds): off the loop.
            facts.batch_saving = await asyncio.to_thread(costs.batch_saving, *args, self.per_1k)
        if facts.examples and (lost := await asyncio.to_thread(self._lost, spec, facts)):
            return [outcomes.refused(cause, *lost)]
        base = await asyncio.to_thread(staging.pulled, self.storage, cause.job_id)
        decided = reviews.decisions(facts.reviews, cause.at)

        def reviewed() -> Iterator[pa.Table]:
            return logic.reviewed(columns.read(base, cause.job_id), decided)

        earlier = await self._earlier(cause, config, facts.project_id)
        copies = await asyncio.to_thread(self._copies, reviewed, config, earlier)
        chunks = logic.exported(reviewed(), copies)
        prefix, manifest = await asyncio.to_thread(export, self.storage, spec, chunks, facts)
        await asyncio.to_thread(staging.pushed, self.storage, cause.job_id, base)
        return outcomes.exported(cause, spec.export_id, prefix, manifest, copies)

    async def _earlier(
        self, cause: Event, config: JobConfig, project_id: str
    ) -> list[ExportWritten]:
        if config.quality.dedup_scope != "project" or not project_id:
            return []
        found = await project.earlier_exports(
            self.redis, self.data_dir, project_id, cause.job_id, cause.at
        )
        return list(found.values())

    def _copies(
        self,
        reviewed: Callable[[], Iterator[pa.Table]],
        config: JobConfig,
        earlier: list[ExportWritten],
    ) -> dedup.Removed:
        if not logic.removes_copies(config.quality):
            return {}
        pool = project.pool_with(self.storage, earlier, dedup.pool_of(reviewed()))
        return logic.copies(pool, config.quality)

    def _lost(self, spec: ExportSpec, facts: JobFacts) -> logic.Refusal | None:
        staged = staging.any_staged(self.storage, spec.job_id)
        exported = not staged and found(self.storage, target(self.storage, spec)) is not None
        return logic.staging_lost(facts, staged, exported)
