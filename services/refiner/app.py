"""Consumes PageFetched from `df:refiner`; emits ChunkMade to `df:factory`, DocumentRefined."""

from __future__ import annotations

import asyncio
from pathlib import Path

from faststream import FastStream

from services.refiner import logic
from shared import streams
from shared.commit import Emit
from shared.events import ChunkDropped, ChunkMade, DocumentRefined, PageFetched
from shared.ids import derive
from shared.runtime import StageContext, StageSpec, build_app, failure
from shared.settings import Settings
from shared.tokens import cl100k


def _count(text: str) -> int:
    return len(cl100k().encode(text, disallowed_special=()))


def _split(html: bytes, page: PageFetched) -> tuple[str, str, list[logic.Piece]]:
    text, extractor = logic.extract(html)
    return text, extractor, logic.pieces(text, page.config.processing, _count) if text else []


async def _owners(ctx: StageContext, page: PageFetched, keep: list[logic.Piece]) -> list[str]:
    """The chunk id that first claimed each key within the job, shared by all replicas."""
    key = f"df:dedup:{page.job_id}"
    async with ctx.redis.pipeline(transaction=False) as pipe:
        for piece in keep:
            pipe.hsetnx(key, piece.key, derive(page.event_id, "chunk", piece.index))
        pipe.hmget(key, [piece.key for piece in keep])
        *_, owners = await pipe.execute()
    return [owner.decode() for owner in owners]


def _dropped(page: PageFetched, piece: logic.Piece, reason: str, of: str | None = None) -> Emit:
    chunk_id = derive(page.event_id, "chunk", piece.index)
    return Emit(
        streams.EVENTS,
        ChunkDropped(
            event_id=derive(chunk_id, "dropped"),
            job_id=page.job_id,
            caused_by=page.event_id,
            chunk_id=chunk_id,
            document_id=page.event_id,
            url=page.url,
            reason=reason,
            duplicate_of=of,
        ),
    )


def _made(page: PageFetched, piece: logic.Piece) -> Emit:
    return Emit(
        streams.FACTORY,
        ChunkMade(
            event_id=derive(page.event_id, "chunk", piece.index),
            job_id=page.job_id,
            caused_by=page.event_id,
            document_id=page.event_id,
            url=page.url,
            index=piece.index,
            text=piece.text,
            token_count=piece.tokens,
            char_start=piece.start,
            char_end=piece.end,
            language=page.language,
            config=page.config,
        ),
    )


async def refine(page: PageFetched, ctx: StageContext) -> list[Emit]:
    try:
        html = await asyncio.to_thread(Path(page.html_path).read_bytes)
    except OSError as exc:
        return [failure("refiner", page, "html_missing", repr(exc))]
    text, extractor, pieces = await asyncio.to_thread(_split, html, page)
    if not text:
        return [failure("refiner", page, "no_main_text", f"extractor={extractor}")]
    ctx.settings.path("text", page.job_id, f"{page.event_id}.txt").write_text(text)
    emits, keep = [], []
    for piece in pieces:
        reason = logic.junk_reason(piece, page.config.processing)
        if reason:
            emits.append(_dropped(page, piece, reason))
        else:
            keep.append(piece)
    owners = await _owners(ctx, page, keep) if keep else []
    made = 0
    for piece, owner in zip(keep, owners, strict=True):
        if owner != derive(page.event_id, "chunk", piece.index):
            emits.append(_dropped(page, piece, "duplicate", owner))
        else:
            emits.append(_made(page, piece))
            made += 1
    summary = DocumentRefined(
        event_id=derive(page.event_id, "refined"),
        job_id=page.job_id,
        caused_by=page.event_id,
        document_id=page.event_id,
        url=page.url,
        chunks=made,
        dropped=len(pieces) - made,
        language=page.language,
        extractor=extractor,
        text_chars=len(text),
    )
    return [*emits, Emit(streams.EVENTS, summary)]


def create_app(settings: Settings | None = None) -> FastStream:
    settings = settings or Settings()
    return build_app(StageSpec("refiner", {PageFetched: refine}, concurrency=2), settings)
