"""One projection per event type: an event in, the idempotent row writes it implies out."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from services.gateway.readmodel import item_projections as items
from services.gateway.readmodel import project_projections as project_changes
from services.gateway.readmodel import review_projections as reviews
from services.gateway.readmodel.rows import Earliest, Status, Totals, Upsert, Write, outcome, ts
from services.gateway.readmodel.tables import (
    batch_chunks,
    chunks,
    exports,
    jobs,
    projects,
    training_examples,
)
from shared.contract.events import (
    BatchSubmitted,
    ChunkAnswered,
    ChunkDropped,
    ChunkMade,
    DocumentRefined,
    DuplicatesRemoved,
    Event,
    ExampleGenerated,
    ExampleReviewed,
    ExampleScored,
    ExportJob,
    ExportWritten,
    FetchPage,
    ItemFailed,
    JobCancelled,
    JobCompleted,
    JobSubmitted,
    PageFetched,
    ProjectCreated,
    ProjectDeleted,
    ProjectUpdated,
    TemplateDeleted,
    TemplateSaved,
)

Projection = Callable[[Any], list[Write]]


def project_created(e: ProjectCreated) -> list[Write]:
    row: dict[str, Any] = {
        "id": e.project_id,
        "name": e.name,
        "description": e.description,
        "config": {},
        "created_at": ts(e.at),
        "updated_at": ts(e.at),
    }
    return [Upsert(projects, row)]


def job_submitted(e: JobSubmitted) -> list[Write]:
    row: dict[str, Any] = {
        "id": e.job_id,
        "project_id": e.project_id,
        "url_count": len(e.urls),
        "config": e.config.model_dump(mode="json"),
        "submitted_at": ts(e.at),
    }
    return [Upsert(jobs, row), Status(e.job_id)]


def job_cancelled(e: JobCancelled) -> list[Write]:
    # The earliest cancellation counts, whichever copy is applied first.
    cancelled = Earliest(e.job_id, "cancelled_at", ts(e.at), {"cancel_reason": e.reason})
    return [cancelled, Status(e.job_id)]


def job_completed(e: JobCompleted) -> list[Write]:
    return [Earliest(e.job_id, "completed_at", ts(e.at)), Status(e.job_id)]


def export_written(e: ExportWritten) -> list[Write]:
    row: dict[str, Any] = {
        "id": e.export_id,
        "job_id": e.job_id,
        "format": e.format,
        "file_path": e.key,
        "card_path": e.card_key,
        "record_count": e.record_count,
        "rejected_count": e.rejected_count,
        "version": e.version,
        "manifest_path": e.manifest_key or None,
        "splits": e.splits,
        "created_at": ts(e.at),
    }
    return [Upsert(exports, row), Status(e.job_id)]  # an export settles an export failure


def duplicates_removed(e: DuplicatesRemoved) -> list[Write]:
    rows = [
        {"id": copy, "duplicate_of": owner, "duplicate_similarity": how}
        for copy, (owner, how) in e.removed.items()
    ]
    return [Upsert(training_examples, row) for row in rows]


def item_failed(e: ItemFailed) -> list[Write]:
    writes = outcome(
        e,
        stage=e.stage,
        item_id=e.item_id,
        outcome=e.outcome,
        reason=e.reason,
        detail=e.detail,
        url=e.url,
    )
    if e.stage == "factory" and (e.cost_usd or e.prompt_tokens or e.completion_tokens):
        # A chunk whose answers were unusable still cost its calls: the job's totals count it.
        spent = items.spent(e, "factory", e.item_id, None)
        writes += [Upsert(chunks, items.spend_row(e, e.item_id)), spent, Totals(e.job_id)]
    return writes


def batch_submitted(e: BatchSubmitted) -> list[Write]:
    rows = [
        {"batch_id": e.batch_id, "chunk_id": c, "job_id": e.job_id, "submitted_at": ts(e.at)}
        for c in e.chunk_ids
    ]
    return [Upsert(batch_chunks, row) for row in rows]


def nothing(e: Event) -> list[Write]:
    """Work requests are not facts about outcomes; JobSubmitted already counts the URLs."""
    return []


PROJECTIONS: dict[type[Event], Projection] = {
    ProjectCreated: project_created,
    ProjectUpdated: project_changes.project_updated,
    ProjectDeleted: project_changes.project_deleted,
    JobSubmitted: job_submitted,
    JobCancelled: job_cancelled,
    JobCompleted: job_completed,
    ExportWritten: export_written,
    DuplicatesRemoved: duplicates_removed,
    ExportJob: nothing,  # the export it asks for is projected once written
    ItemFailed: item_failed,
    FetchPage: nothing,
    PageFetched: items.page_fetched,
    DocumentRefined: items.document_refined,
    ChunkMade: items.chunk_made,
    ChunkDropped: items.chunk_dropped,
    ChunkAnswered: items.chunk_answered,
    BatchSubmitted: batch_submitted,
    ExampleGenerated: items.example_generated,
    ExampleScored: items.example_scored,
    ExampleReviewed: reviews.example_reviewed,
    TemplateSaved: nothing,  # templates are read from their Redis hashes (queries.templates)
    TemplateDeleted: nothing,
}


def project(event: Event) -> list[Write]:
    return PROJECTIONS[type(event)](event)
