"""Consumes ExampleScored and JobCompleted from `df:shipper`; writes exports and the card."""

from __future__ import annotations

import asyncio
from pathlib import Path

from faststream import FastStream

from services.shipper.card import card
from services.shipper.records import record, render
from shared import streams
from shared.commit import Emit
from shared.events import ExampleScored, ExportWritten, JobCompleted
from shared.ids import derive
from shared.runtime import StageContext, StageSpec, build_app
from shared.settings import Settings


def _staging(job_id: str) -> str:
    return f"df:ship:{job_id}"


async def stage(scored: ExampleScored, ctx: StageContext) -> list[Emit]:
    # Keyed by example id, so a redelivered example overwrites itself.
    await ctx.redis.hset(_staging(scored.job_id), scored.example.event_id, scored.model_dump_json())
    return []


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def _export(folder: Path, job_id: str, version: str, fmt: str, scored: list[ExampleScored]) -> Path:
    passed = [record(s) for s in scored if s.passed]
    rejected = [record(s) for s in scored if not s.passed]
    dataset = folder / f"dataset.{fmt}"
    _write(dataset, render(passed, fmt))
    _write(folder / "rejected.jsonl", render(rejected, "jsonl"))
    _write(folder / "README.md", card(job_id, version, fmt, scored))
    return dataset


async def ship(done: JobCompleted, ctx: StageContext) -> list[Emit]:
    raw = await ctx.redis.hgetall(_staging(done.job_id))
    scored = sorted(
        (ExampleScored.model_validate_json(v) for v in raw.values()),
        key=lambda s: s.example.event_id,
    )
    fmt = scored[0].example.config.export.format if scored else "jsonl"
    version = done.at.strftime("v%Y%m%dT%H%M%SZ")
    folder = ctx.settings.data_dir / "exports" / done.job_id / version
    dataset = await asyncio.to_thread(_export, folder, done.job_id, version, fmt, scored)
    written = ExportWritten(
        event_id=derive(done.event_id, "export"),
        job_id=done.job_id,
        caused_by=done.event_id,
        export_id=derive(done.event_id, "export"),
        format=fmt,
        path=str(dataset),
        card_path=str(folder / "README.md"),
        record_count=sum(s.passed for s in scored),
        rejected_count=sum(not s.passed for s in scored),
        version=version,
    )
    return [Emit(streams.EVENTS, written)]


def create_app(settings: Settings | None = None) -> FastStream:
    settings = settings or Settings()
    spec = StageSpec("shipper", {ExampleScored: stage, JobCompleted: ship})
    return build_app(spec, settings)
