"""Projections of work-item events: documents, chunks, examples and their stage outcomes."""

from __future__ import annotations

from typing import Any

from services.gateway.readmodel.rows import NANO, Totals, Upsert, Write, outcome, ts
from services.gateway.readmodel.tables import chunks, raw_documents, spending, training_examples
from shared.contract.events import (
    ChunkAnswered,
    ChunkDropped,
    ChunkMade,
    DocumentRefined,
    ExampleGenerated,
    ExampleScored,
    ItemFailed,
    PageFetched,
)


def page_fetched(e: PageFetched) -> list[Write]:
    row: dict[str, Any] = {
        "id": e.event_id,
        "job_id": e.job_id,
        "fetch_id": e.caused_by,
        "url": e.url,
        "final_url": e.final_url,
        "status_code": e.status_code,
        "content_type": e.content_type,
        "html_path": e.html_key,
        "title": e.title,
        "language": e.language,
        "content_hash": e.content_hash,
        "text_tokens": e.text_tokens,
        "scrape_status": "fetched",
        "created_at": ts(e.at),
    }
    return [
        Upsert(raw_documents, row),
        *outcome(e, stage="spider", item_id=e.caused_by or e.event_id, url=e.url),
    ]


def document_refined(e: DocumentRefined) -> list[Write]:
    row: dict[str, Any] = {
        "id": e.document_id,
        "job_id": e.job_id,
        "url": e.url,
        "extractor": e.extractor,
        "text_chars": e.text_chars,
        "chunk_count": e.chunks,
        "dropped_count": e.dropped,
        "chunks_over_cap": e.chunks_over_cap,
        "refined_at": ts(e.at),
    }
    capped = f"{e.chunks_over_cap} chunks over the per-page cap were not used"
    detail = capped if e.chunks_over_cap else None
    return [
        Upsert(raw_documents, row),
        *outcome(e, stage="refiner", item_id=e.document_id, url=e.url, detail=detail),
    ]


def chunk_made(e: ChunkMade) -> list[Write]:
    meta = {"char_start": e.char_start, "char_end": e.char_end, "language": e.language}
    row: dict[str, Any] = {
        "id": e.event_id,
        "job_id": e.job_id,
        "document_id": e.document_id,
        "url": e.url,
        "status": "made",
        "chunk_index": e.index,
        "content": e.text,
        "token_count": e.token_count,
        "metadata": meta,
        "created_at": ts(e.at),
    }
    return [Upsert(chunks, row)]


def chunk_dropped(e: ChunkDropped) -> list[Write]:
    row: dict[str, Any] = {
        "id": e.chunk_id,
        "job_id": e.job_id,
        "document_id": e.document_id,
        "url": e.url,
        "status": "dropped",
        "drop_reason": e.reason,
        "duplicate_of": e.duplicate_of,
        "created_at": ts(e.at),
    }
    return [Upsert(chunks, row)]


def spend_row(e: ChunkAnswered | ItemFailed, chunk_id: str) -> dict[str, Any]:
    """What a chunk's LLM calls cost, whether they produced examples or not."""
    return {
        "id": chunk_id,
        "job_id": e.job_id,
        "prompt_tokens": e.prompt_tokens,
        "completion_tokens": e.completion_tokens,
        "cost_usd": e.cost_usd,
        "cost_nano": round(e.cost_usd * NANO),
    }


def spent(
    e: ChunkAnswered | ItemFailed | ExampleScored, stage: str, item_id: str, model: str | None
) -> Upsert:
    """The item's spending row for the cost statistics."""
    row: dict[str, Any] = {"stage": stage, "item_id": item_id, "job_id": e.job_id}
    row |= {"model": model, "day": ts(e.at)[:10], "cost_nano": round(e.cost_usd * NANO)}
    if isinstance(e, ExampleScored):
        return Upsert(spending, row | {"prompt_tokens": 0, "completion_tokens": 0})
    tokens = {"prompt_tokens": e.prompt_tokens, "completion_tokens": e.completion_tokens}
    return Upsert(spending, row | tokens)


def chunk_answered(e: ChunkAnswered) -> list[Write]:
    row = spend_row(e, e.chunk_id)
    row |= {"examples": e.examples, "model": e.model, "generated_at": ts(e.at)}
    return [
        Upsert(chunks, row),
        spent(e, "factory", e.chunk_id, e.model),
        *outcome(e, stage="factory", item_id=e.chunk_id),
        Totals(e.job_id),
    ]


def _example_row(e: ExampleGenerated) -> dict[str, Any]:
    return {
        "id": e.event_id,
        "job_id": e.job_id,
        "chunk_id": e.chunk_id,
        "document_id": e.document_id,
        "url": e.url,
        "template_type": e.template,
        "input_text": e.input,
        "output_text": e.output,
        "fields": e.fields,
        "model_used": e.model,
        "prompt_tokens": e.prompt_tokens,
        "completion_tokens": e.completion_tokens,
        "token_count": e.prompt_tokens + e.completion_tokens,
        "cost": e.cost_usd,
        "simulated": e.simulated,
        "created_at": ts(e.at),
    }


def example_generated(e: ExampleGenerated) -> list[Write]:
    return [Upsert(training_examples, _example_row(e))]


def example_scored(e: ExampleScored) -> list[Write]:
    # The score may be applied before the example itself: it carries the whole example.
    # Each check's score, the model or method behind it, and the faults that did not reject
    # it (a log written before warnings had them among the reasons of a passed example).
    reasons, warnings = ([], e.warnings + e.reasons) if e.passed else (e.reasons, e.warnings)
    details = {"scores": e.scores, "backends": e.backends, "warnings": warnings}
    quality = {"quality_score": e.score, "quality_details": details, "reasons": reasons}
    quality |= {"passed_qc": e.passed, "scored_at": ts(e.at)}
    judged = [spent(e, "inspector", e.example.event_id, None)] if e.cost_usd else []
    return [
        Upsert(training_examples, _example_row(e.example) | quality),
        *judged,
        *outcome(
            e,
            stage="inspector",
            item_id=e.example.event_id,
            reason=None if e.passed else "rejected",
            detail="; ".join(e.reasons) or None,
            url=e.example.url,
        ),
    ]
