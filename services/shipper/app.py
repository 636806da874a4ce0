"""Consumes ExampleScored (in batches), JobCompleted and ExportJob from `df:shipper`: stages
examples on disk and, once the job is complete or an export is asked for, writes a versioned
export with its card and manifest (ExportWritten)."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path

import pyarrow as pa
from faststream import FastStream
from redis.asyncio import Redis

from services.shipper import dedup, history, project, reviews, staged, staging
from services.shipper.export import export, found, target
from services.shipper.manifest import CARD, MANIFEST, ExportSpec, Manifest
from shared import costs, redis_client, retention, streams
from shared.commit import Emit
from shared.config import JobConfig
from shared.events import (
    DuplicatesRemoved,
    Event,
    ExampleScored,
    ExportJob,
    ExportWritten,
    JobCompleted,
    caused,
    export_id,
)
from shared.runtime import build_app
from shared.settings import Settings
from shared.stage import Outcome, StageSpec, Work, failure
from shared.storage.blobs import Storage


def written(cause: Event, prefix: str, manifest: Manifest) -> ExportWritten:
    splits = manifest.splits
    return caused(
        cause,
        ExportWritten,
        "export",
        export_id=manifest.export_id,
        format=manifest.format,
        key=f"{prefix}/{next(iter(manifest.data_files.values()))}",
        card_key=f"{prefix}/{CARD}",
        manifest_key=f"{prefix}/{MANIFEST}",
        record_count=manifest.records,
        rejected_count=manifest.rejected,
        version=manifest.version,
        splits=splits,
        at=cause.at,  # the export's own time, so that a repeat is the same event
    )


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
            await asyncio.to_thread(staged.put, *args)
        return [[] for _ in works]

    async def ship(self, done: JobCompleted, config: JobConfig) -> list[Emit]:
        """The job's export; then its working state in Redis may go (a redelivered
        JobCompleted finds the export already written and expires nothing new)."""
        emits = await self._export(done, config)
        await retention.expire_job(self.redis, done.job_id)
        return emits

    async def reexport(self, request: ExportJob, config: JobConfig) -> list[Emit]:
        if await self._unfinished(request.job_id):
            reason = "job_not_finished"
            return [failure("shipper", request, reason, "export asked before the job completed")]
        return await self._export(request, config.model_copy(update={"export": request.export}))

    async def _unfinished(self, job_id: str) -> bool:
        left = await self.redis.hget(streams.tally_key(job_id), "outstanding")
        return left is not None and int(left) > 0

    async def _export(self, cause: Event, config: JobConfig) -> list[Emit]:
        spec = ExportSpec(cause.job_id, export_id(cause), cause.at, config)
        facts = await history.job_facts(self.redis, cause.job_id, self.data_dir)
        if config.generation.mode == "batch" and len(facts.models) == 1:
            (model,) = facts.models
            args = (model, facts.prompt_tokens, facts.completion_tokens, facts.cost_usd)
            # Prices come from litellm's map, imported on first use (seconds): off the loop.
            facts.batch_saving = await asyncio.to_thread(costs.batch_saving, *args, self.per_1k)
        if facts.examples and await asyncio.to_thread(self._unstaged, spec):
            detail = f"the job's {facts.examples} examples are no longer staged (datafactory gc?)"
            return [failure("shipper", cause, "staging_removed", detail)]
        base = await asyncio.to_thread(staged.pulled, self.storage, cause.job_id)
        decided = reviews.decisions(facts.reviews, cause.at)

        def reviewed() -> Iterator[pa.Table]:
            return reviews.applied(staging.read(base, cause.job_id), decided)

        earlier = await self._earlier(cause, config, facts.project_id)
        copies = await asyncio.to_thread(self._copies, reviewed, config, earlier)
        chunks = dedup.applied(reviewed(), copies)
        prefix, manifest = await asyncio.to_thread(export, self.storage, spec, chunks, facts)
        await asyncio.to_thread(staged.pushed, self.storage, cause.job_id, base)
        emits = [Emit(streams.EVENTS, written(cause, prefix, manifest))]
        if copies:
            removed = {"export_id": spec.export_id, "removed": copies, "at": cause.at}
            event = caused(cause, DuplicatesRemoved, "dedup", **removed)
            emits.insert(0, Emit(streams.EVENTS, event))
        return emits

    async def _earlier(
        self, cause: Event, config: JobConfig, project_id: str
    ) -> list[ExportWritten]:
        if config.quality.dedup_scope != "project" or not project_id:
            return []
        found = await project.earlier_exports(self.redis, project_id, cause.job_id, cause.at)
        return list(found.values())

    def _copies(
        self,
        reviewed: Callable[[], Iterator[pa.Table]],
        config: JobConfig,
        earlier: list[ExportWritten],
    ) -> dedup.Removed:
        """The passed examples an export leaves out as copies of better ones, or of ones
        the project's earlier exports kept."""
        quality = config.quality
        if "duplicates" not in quality.checks:
            return {}
        pool = project.pool_with(self.storage, earlier, dedup.pool_of(reviewed()))
        return dedup.removed(pool, quality.near_duplicate_threshold)

    def _unstaged(self, spec: ExportSpec) -> bool:
        """Nothing staged and no export to find: an export now would be wrongly empty."""
        there = staged.any_staged(self.storage, spec.job_id)
        return not there and found(self.storage, target(self.storage, spec)) is None


def create_app(settings: Settings | None = None) -> FastStream:
    settings = settings or Settings()
    redis = redis_client.connect(settings)
    storage = Storage.from_settings(settings)
    shipper = Shipper(settings.data_dir, storage, redis, settings.llm_price_per_1k_tokens)
    spec = StageSpec(
        "shipper",
        handlers={JobCompleted: shipper.ship, ExportJob: shipper.reexport},
        batch_handlers={ExampleScored: shipper.stage},
        max_records=200,
        linger_s=0.2,
    )
    return build_app(spec, settings, redis)
