"""Writes an export: data, rejected examples, card and manifest in a draft folder, then
publishes it to blob storage, the manifest last (one rename on a file store), so readers see
a whole export or none. An export that is already there is read, never rewritten.

Its content is a function of the staged examples, the job's facts and the spec alone (records
sorted by example id, the time from the event that asked for it), so a crash and a retry, or
two replicas racing, give the same bytes."""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

import pyarrow as pa

from services.shipper import logic
from services.shipper.card import card
from services.shipper.dataset import write_records
from services.shipper.facts import JobFacts
from services.shipper.manifest import CARD, MANIFEST, ExportSpec, Manifest
from services.shipper.stats import DatasetStats
from services.shipper.writers import Written, sha256_of
from shared.storage import drafts
from shared.storage.blobs import Storage


def found(storage: Storage, prefix: str) -> Manifest | None:
    """The manifest of the export published under `prefix`, if there is one."""
    try:
        return Manifest.parse(storage.get(f"{prefix}/{MANIFEST}"))
    except FileNotFoundError:
        return None


def target(storage: Storage, spec: ExportSpec) -> str:
    """The export's key prefix; one of the same name written for another request keeps it."""
    final = f"exports/{spec.job_id}/{spec.folder_name}"
    there = found(storage, final)
    return (
        f"{final}-{spec.export_id[-6:]}" if there and there.export_id != spec.export_id else final
    )


def export(
    storage: Storage, spec: ExportSpec, chunks: Iterable[pa.Table], facts: JobFacts
) -> tuple[str, Manifest]:
    """The export's key prefix and manifest, written now or found written."""
    final = target(storage, spec)
    if there := found(storage, final):
        return final, there
    draft = drafts.draft(storage, final)
    try:
        manifest = _write(draft, spec, chunks, facts)
        drafts.publish(storage, draft, final, last=MANIFEST)  # fails if another writer's came first
    except OSError:
        # The same export by another replica is as good as ours; another export's folder of
        # the same name fails this attempt, and the retry picks a folder of its own.
        there = found(storage, final)
        if there and there.export_id == spec.export_id:
            return final, there
        raise
    finally:
        shutil.rmtree(draft, ignore_errors=True)
    return final, manifest


def _write(folder: Path, spec: ExportSpec, chunks: Iterable[pa.Table], facts: JobFacts) -> Manifest:
    stats = DatasetStats()
    files = write_records(folder, spec, chunks, stats)
    empty = logic.why_empty(facts, stats)
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
        figures=logic.card_figures(facts, stats, spec.config),
    )
    (folder / CARD).write_text(card(spec, stats, written, empty), encoding="utf-8")
    readme = Written(CARD, 0, sha256_of(folder / CARD), (folder / CARD).stat().st_size)
    manifest = replace(written, files=[*files, readme])
    (folder / MANIFEST).write_bytes(manifest.dump())
    return manifest
