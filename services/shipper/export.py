"""Writes an export: data, rejected examples, card and manifest in a hidden folder, then one
rename makes it visible whole. An export that is already there is read, never rewritten.

Its content is a function of the staged examples, the job's facts and the spec alone (records
sorted by example id, the time from the event that asked for it), so a crash and a retry, or
two replicas racing, give the same bytes."""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

import pyarrow as pa

from services.shipper.card import card
from services.shipper.dataset import write_records
from services.shipper.facts import JobFacts
from services.shipper.figures import figures
from services.shipper.manifest import CARD, MANIFEST, ExportSpec, Manifest
from services.shipper.stats import DatasetStats
from services.shipper.writers import Written, sha256_of


def target(exports: Path, spec: ExportSpec) -> Path:
    """The export's folder; one of the same name written for another request keeps its name."""
    final = exports / spec.job_id / spec.folder_name
    if (final / MANIFEST).exists() and Manifest.load(final).export_id != spec.export_id:
        final = final.with_name(f"{spec.folder_name}-{spec.export_id[-6:]}")
    return final


def export(
    exports: Path, spec: ExportSpec, chunks: Iterable[pa.Table], facts: JobFacts
) -> tuple[Path, Manifest]:
    """The export's folder and manifest, written now or found written."""
    final = target(exports, spec)
    if (final / MANIFEST).exists():
        return final, Manifest.load(final)
    hidden = final.with_name(f".{final.name}.{secrets.token_hex(4)}.tmp")
    hidden.mkdir(parents=True)
    try:
        manifest = _write(hidden, spec, chunks, facts)
        _sync(hidden)
        hidden.rename(final)  # fails if another writer's rename came first
    except OSError:
        # The same export by another replica is as good as ours; another export's folder of
        # the same name fails this attempt, and the retry picks a folder of its own.
        shutil.rmtree(hidden, ignore_errors=True)
        if (final / MANIFEST).exists() and Manifest.load(final).export_id == spec.export_id:
            return final, Manifest.load(final)
        raise
    _sync(final.parent)
    for stale in final.parent.glob(f".{final.name}.*.tmp"):  # left by killed writers
        shutil.rmtree(stale, ignore_errors=True)
    return final, manifest


def _sync(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write(folder: Path, spec: ExportSpec, chunks: Iterable[pa.Table], facts: JobFacts) -> Manifest:
    stats = DatasetStats()
    files = write_records(folder, spec, chunks, stats)
    empty = _why_empty(facts, stats)
    written = Manifest(
        export_id=spec.export_id,
        job_id=spec.job_id,
        version=spec.version,
        format=spec.format.name,
        created_at=spec.at.isoformat(),
        records=stats.passed,
        rejected=stats.rejected,
        splits=dict(stats.splits) if spec.splits else {},
        data_files={s: spec.file_name(s) for s in spec.splits or ["train"]},
        files=files,
        figures=figures(facts, stats, spec.config),
    )
    (folder / CARD).write_text(card(spec, stats, written, empty), encoding="utf-8")
    readme = Written(CARD, 0, sha256_of(folder / CARD), (folder / CARD).stat().st_size)
    manifest = replace(written, files=[*files, readme])
    (folder / MANIFEST).write_bytes(manifest.dump())
    return manifest


def _why_empty(facts: JobFacts, stats: DatasetStats) -> str | None:
    if stats.passed:
        return None
    if facts.fetched == 0 and facts.urls:
        return "no page could be fetched (see Sources)"
    if stats.scored == 0:
        return "no example was generated (see Processing and Generation)"
    return "no example passed quality control (see Quality)"
