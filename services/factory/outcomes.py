"""The events of a generated chunk: one ExampleGenerated per item and a ChunkGenerated total."""

from __future__ import annotations

from services.factory.logic import Usage
from shared import streams
from shared.commit import Emit
from shared.events import ChunkGenerated, ChunkMade, ExampleGenerated
from shared.ids import derive
from shared.templates import ExampleFields


def generated(chunk: ChunkMade, items: list[ExampleFields], usage: Usage, model: str) -> list[Emit]:
    """Tokens and cost of the chunk's calls are shared evenly by its examples."""
    emits = [
        Emit(streams.INSPECTOR, _example(chunk, i, item, share, model))
        for i, (item, share) in enumerate(zip(items, usage.shares(len(items)), strict=True))
    ]
    summary = ChunkGenerated(
        event_id=derive(chunk.event_id, "generated"),
        job_id=chunk.job_id,
        caused_by=chunk.event_id,
        chunk_id=chunk.event_id,
        examples=len(items),
        model=model,
        prompt_tokens=usage.prompt_tokens,
        completion_tokens=usage.completion_tokens,
        cost_usd=usage.cost_usd,
    )
    return [*emits, Emit(streams.EVENTS, summary)]


def _example(
    chunk: ChunkMade, index: int, item: ExampleFields, share: Usage, model: str
) -> ExampleGenerated:
    return ExampleGenerated(
        event_id=derive(chunk.event_id, "example", index),
        job_id=chunk.job_id,
        caused_by=chunk.event_id,
        chunk_id=chunk.event_id,
        document_id=chunk.document_id,
        url=chunk.url,
        template=chunk.config.generation.template,
        input=item.input,
        output=item.output,
        fields=item.fields,
        model=model,
        prompt_tokens=share.prompt_tokens,
        completion_tokens=share.completion_tokens,
        cost_usd=share.cost_usd,
        simulated=share.simulated,
        config=chunk.config,
    )
