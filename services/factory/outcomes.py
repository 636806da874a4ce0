"""The events of a chunk: one ExampleGenerated per item and a ChunkAnswered total, or an
ItemFailed that says why and what the chunk's calls cost anyway."""

from __future__ import annotations

from services.factory.values import Spend, Usage
from shared.contract import streams
from shared.contract.config import GenerationConfig
from shared.contract.events import ChunkAnswered, ChunkMade, ExampleGenerated, caused
from shared.contract.templates import ExampleFields
from shared.runtime.commit import Emit
from shared.runtime.stage import failure

# Marks dry-run examples in their export fields, beside `simulated`.
DRY_RUN_FIELD = "dry_run"


def generated(
    chunk: ChunkMade, gen: GenerationConfig, items: list[ExampleFields], usage: Usage, model: str
) -> list[Emit]:
    """Tokens and cost of the chunk's calls are shared evenly by its examples."""
    emits = [
        Emit(streams.INSPECTOR, _example(chunk, gen, i, item, share, model))
        for i, (item, share) in enumerate(zip(items, usage.shares(len(items)), strict=True))
    ]
    summary = caused(
        chunk,
        ChunkAnswered,
        "generated",
        chunk_id=chunk.event_id,
        examples=len(items),
        model=model,
        prompt_tokens=usage.prompt_tokens,
        completion_tokens=usage.completion_tokens,
        cost_usd=usage.cost_usd,
    )
    return [*emits, Emit(streams.EVENTS, summary)]


def failed(
    chunk: ChunkMade, reason: str, detail: str, spend: Spend, outcome: str = "failed"
) -> Emit:
    usage = spend.usage
    return failure(
        "factory",
        chunk,
        reason,
        f"[{spend}] {detail}" if spend.calls or spend.cache_hits else detail,
        outcome=outcome,
        prompt_tokens=usage.prompt_tokens,
        completion_tokens=usage.completion_tokens,
        cost_usd=usage.cost_usd,
    )


def _example(
    chunk: ChunkMade,
    gen: GenerationConfig,
    index: int,
    item: ExampleFields,
    share: Usage,
    model: str,
) -> ExampleGenerated:
    dry_run = gen.dry_run
    return caused(
        chunk,
        ExampleGenerated,
        "example",
        index,
        chunk_id=chunk.event_id,
        document_id=chunk.document_id,
        url=chunk.url,
        template=gen.template,
        input=item.input,
        output=item.output,
        fields={**item.fields, DRY_RUN_FIELD: True} if dry_run else item.fields,
        model=model,
        prompt_tokens=share.prompt_tokens,
        completion_tokens=share.completion_tokens,
        cost_usd=share.cost_usd,
        simulated=share.simulated or dry_run,
        language=chunk.language,
        # On the event, not looked up later: the inspector's verdict then depends on its
        # input alone, the same on every replica and redelivery.
        source=chunk.text,
    )
