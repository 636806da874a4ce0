"""Consumes ExampleGenerated from `df:inspector` in batches; emits ExampleScored to `df:shipper`."""

from __future__ import annotations

from collections import defaultdict

from faststream import FastStream
from redis.asyncio import Redis

from services.inspector import logic, models
from services.inspector.checks.base import Item
from services.inspector.checks.duplicates import Described, fingerprints
from services.inspector.embeddings import Embedders
from services.inspector.judge import Judge
from shared import redis_client, streams
from shared.cmudict_offline import ensure_cmudict
from shared.commit import Emit
from shared.events import ExampleGenerated, ExampleScored, caused
from shared.runtime import build_app
from shared.settings import Settings
from shared.stage import Outcome, StageSpec, Work
from shared.vectors import pack


def scored(
    example: ExampleGenerated,
    verdict: logic.Verdict,
    cost_usd: float = 0.0,
    described: Described | None = None,
) -> Emit:
    described = described or Described()
    backends = verdict.backends | ({"duplicates": described.backend} if described.backend else {})
    event = caused(
        example,
        ExampleScored,
        "scored",
        # The source chunk is in the log already, on the chunk's own event.
        example=example.model_copy(update={"source": None}),
        scores=verdict.scores,
        score=verdict.score,
        passed=verdict.passed,
        reasons=verdict.reasons,
        warnings=verdict.warnings,
        backends=backends,
        cost_usd=cost_usd,
        fingerprints=described.fingerprints,
        vector=described.vector,
    )
    return Emit(streams.SHIPPER, event)


class Inspector:
    def __init__(self, settings: Settings, redis: Redis) -> None:
        ensure_cmudict(settings.data_dir / "cache")  # textstat's dictionary, offline
        self.models = models.build(settings.detoxify_checkpoint, settings.detoxify_config_dir)
        self.embedders = Embedders(settings.embedding_model)
        self.judge = Judge(settings, redis)

    async def score(self, works: list[Work[ExampleGenerated]]) -> list[Outcome]:
        items = [Item(w.event, w.config.quality) for w in works]
        found = logic.assess(items, self.models)
        await self.judge.add(items, found, [w.config.generation for w in works])
        verdicts = [logic.verdict(f, item.quality) for item, f in zip(items, found, strict=True)]
        costs = [self.judge.costs.pop(item.example.event_id, 0.0) for item in items]
        described = self.describe(items)
        return [
            [scored(item.example, v, cost, d)]
            for item, v, cost, d in zip(items, verdicts, costs, described, strict=True)
        ]

    def describe(self, items: list[Item]) -> list[Described]:
        """Each example's fingerprints and embedding, for the export's duplicate removal;
        one embedding call per backend in the batch."""
        found = [Described() for _ in items]
        groups: dict[str, list[int]] = defaultdict(list)
        for i, item in enumerate(items):
            if "duplicates" in item.quality.checks:
                groups[item.quality.embedding_backend].append(i)
        for choice, indices in groups.items():
            embedder = self.embedders.get(choice)
            vectors = embedder.encode([items[i].pair for i in indices])
            for i, vector in zip(indices, vectors, strict=True):
                found[i] = Described(fingerprints(items[i]), pack(vector), embedder.name)
        return found


def create_app(settings: Settings | None = None) -> FastStream:
    settings = settings or Settings()
    redis = redis_client.connect(settings)
    inspector = Inspector(settings, redis)
    spec = StageSpec(
        "inspector",
        batch_handlers={ExampleGenerated: inspector.score},
        max_records=100,
        linger_s=0.1,
    )
    return build_app(spec, settings, redis)
