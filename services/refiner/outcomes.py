"""The events a refined page turns into: chunks made or dropped with reasons and a summary,
or the page's failure or skip."""

from __future__ import annotations

from services.refiner import logic
from services.refiner.dedup import Decision
from services.refiner.logic import Chunk, Document
from shared.contract import streams
from shared.contract.events import ChunkDropped, ChunkMade, DocumentRefined, PageFetched, caused
from shared.contract.ids import derive
from shared.runtime.commit import Emit
from shared.runtime.stage import failure


def chunk_id(page: PageFetched, index: int) -> str:
    return derive(page.event_id, "chunk", index)


def dropped(page: PageFetched, chunk: Chunk, reason: str, owner: str | None = None) -> Emit:
    event = caused(
        page,
        ChunkDropped,
        "dropped",
        chunk.index,
        chunk_id=chunk_id(page, chunk.index),
        document_id=page.event_id,
        url=page.url,
        reason=reason,
        duplicate_of=owner,
    )
    return Emit(streams.EVENTS, event)


def made(page: PageFetched, chunk: Chunk) -> Emit:
    event = caused(
        page,
        ChunkMade,
        "chunk",
        chunk.index,
        document_id=page.event_id,
        url=page.url,
        index=chunk.index,
        text=chunk.text,
        token_count=chunk.tokens,
        char_start=chunk.start,
        char_end=chunk.end,
        language=chunk.language,
    )
    return Emit(streams.FACTORY, event)


def refined(page: PageFetched, doc: Document, kept: int) -> Emit:
    event = caused(
        page,
        DocumentRefined,
        "refined",
        document_id=page.event_id,
        url=page.url,
        chunks=kept,
        dropped=len(doc.chunks) - kept,
        language=doc.language,
        extractor=doc.extractor,
        text_chars=len(doc.text),
        chunks_over_cap=doc.over_cap,
    )
    return Emit(streams.EVENTS, event)


def of_document(page: PageFetched, doc: Document, decisions: dict[int, Decision]) -> list[Emit]:
    """Every chunk is made or dropped with its reason; `decisions` holds dedup's, by index."""
    emits: list[Emit] = []
    for chunk in doc.chunks:
        decision = decisions.get(chunk.index, Decision(chunk.verdict))
        if decision.reason is None:
            emits.append(made(page, chunk))
        else:
            emits.append(dropped(page, chunk, decision.reason, decision.owner))
    kept = sum(e.stream == streams.FACTORY for e in emits)
    return [*emits, refined(page, doc, kept)]


def skipped(page: PageFetched, reason: str, detail: str = "") -> Emit:
    """The page's skip when it holds nothing worth tokens, else its failure."""
    return failure("refiner", page, reason, detail, outcome=logic.outcome_of(reason))
