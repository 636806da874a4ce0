"""The shipper's events: an export written, the copies it removed, or why none was written."""

from __future__ import annotations

from services.shipper import dedup
from services.shipper.manifest import CARD, MANIFEST, Manifest
from shared.contract import streams
from shared.contract.events import DuplicatesRemoved, Event, ExportWritten, caused
from shared.runtime.commit import Emit
from shared.runtime.stage import failure


def written(cause: Event, prefix: str, manifest: Manifest) -> ExportWritten:
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
        splits=manifest.splits,
        at=cause.at,  # the export's own time, so that a repeat is the same event
    )


def exported(
    cause: Event, export_id: str, prefix: str, manifest: Manifest, copies: dedup.Removed
) -> list[Emit]:
    """The export, after the copies it left out when there are any."""
    emits = [Emit(streams.EVENTS, written(cause, prefix, manifest))]
    if copies:
        removed = {"export_id": export_id, "removed": copies, "at": cause.at}
        event = caused(cause, DuplicatesRemoved, "dedup", **removed)
        emits.insert(0, Emit(streams.EVENTS, event))
    return emits


def refused(cause: Event, reason: str, detail: str) -> Emit:
    return failure("shipper", cause, reason, detail)


def not_finished(request: Event) -> Emit:
    return refused(request, "job_not_finished", "export asked before the job completed")
