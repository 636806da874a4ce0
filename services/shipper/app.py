"""Consumes ExampleScored (in batches) and JobCompleted from `df:shipper`; stages examples on
disk and, once the job is complete, writes the export and its card (ExportWritten)."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from pathlib import Path

from faststream import FastStream
from redis.asyncio import Redis

from services.shipper import staging
from services.shipper.card import card
from services.shipper.records import record, render
from shared import streams
from shared.commit import Emit
from shared.config import JobConfig
from shared.events import ExampleScored, ExportWritten, JobCompleted, caused
from shared.ids import derive
from shared.runtime import build_app
from shared.settings import Settings
from shared.stage import Outcome, StageSpec, Work


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def _export(
    folder: Path, job_id: str, version: str, config: JobConfig, data_dir: Path
) -> list[ExampleScored]:
    scored = staging.read(data_dir, job_id)
    fmt = config.export.format
    _write(folder / f"dataset.{fmt}", render([record(s) for s in scored if s.passed], fmt))
    _write(folder / "rejected.jsonl", render([record(s) for s in scored if not s.passed], "jsonl"))
    _write(folder / "README.md", card(job_id, version, config, scored))
    return scored


class Shipper:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir

    async def stage(self, works: list[Work[ExampleScored]]) -> list[Outcome]:
        """One staged file per job in the batch, named after the batch's first entry."""
        by_job: dict[str, list[Work[ExampleScored]]] = defaultdict(list)
        for work in works:
            by_job[work.event.job_id].append(work)
        for job_id, batch in by_job.items():
            scored = [w.event for w in batch]
            name = batch[0].entry_id
            await asyncio.to_thread(staging.append, self.data_dir, job_id, name, scored)
        return [[] for _ in works]

    async def ship(self, done: JobCompleted, config: JobConfig) -> list[Emit]:
        version = done.at.strftime("v%Y%m%dT%H%M%SZ")
        folder = self.data_dir / "exports" / done.job_id / version
        args = (folder, done.job_id, version, config, self.data_dir)
        scored = await asyncio.to_thread(_export, *args)
        fmt = config.export.format
        written = caused(
            done,
            ExportWritten,
            "export",
            export_id=derive(done.event_id, "export"),
            format=fmt,
            path=str(folder / f"dataset.{fmt}"),
            card_path=str(folder / "README.md"),
            record_count=sum(s.passed for s in scored),
            rejected_count=sum(not s.passed for s in scored),
            version=version,
        )
        return [Emit(streams.EVENTS, written)]


def create_app(settings: Settings | None = None) -> FastStream:
    settings = settings or Settings()
    shipper = Shipper(settings.data_dir)
    spec = StageSpec(
        "shipper",
        handlers={JobCompleted: shipper.ship},
        batch_handlers={ExampleScored: shipper.stage},
        max_records=200,
    )
    return build_app(spec, settings, Redis.from_url(settings.redis_dsn))
