"""Consumes ExampleGenerated from `df:inspector` in batches; emits ExampleScored to `df:shipper`."""

from __future__ import annotations

from collections import defaultdict

from faststream import FastStream
from redis.asyncio import Redis

from services.inspector import logic, models
from services.inspector.checks.base import Item
from services.inspector.checks.duplicates import duplicate, fingerprints
from services.inspector.embeddings import Embedders
from services.inspector.index import AcceptedIndex, Candidate
from services.inspector.judge import Judge
from shared import redis_client, streams
from shared.cmudict_offline import ensure_cmudict
from shared.commit import Emit
from shared.events import ExampleGenerated, ExampleScored, caused
from shared.runtime import build_app
from shared.settings import Settings
from shared.stage import Outcome, StageSpec, Work


def scored(example: ExampleGenerated, verdict: logic.Verdict, cost_usd: float = 0.0) -> Emit:
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
        backends=verdict.backends,
        cost_usd=cost_usd,
    )
    return Emit(streams.SHIPPER, event)


class Inspector:
    def __init__(self, settings: Settings, redis: Redis) -> None:
        ensure_cmudict(settings.data_dir / "cache")  # textstat's dictionary, offline
        self.models = models.build(settings.detoxify_checkpoint, settings.detoxify_config_dir)
        self.embedders = Embedders(settings.embedding_model)
        self.index = AcceptedIndex(redis)
        self.judge = Judge(settings, redis)

    async def score(self, works: list[Work[ExampleGenerated]]) -> list[Outcome]:
        items = [Item(w.event, w.config.quality) for w in works]
        found = logic.assess(items, self.models)
        await self.judge.add(items, found, [w.config.generation.model for w in works])
        await self.deduplicate(items, found)
        verdicts = [logic.verdict(f, item.quality) for item, f in zip(items, found, strict=True)]
        costs = [self.judge.costs.pop(item.example.event_id, 0.0) for item in items]
        return [
            [scored(item.example, v, cost)]
            for item, v, cost in zip(items, verdicts, costs, strict=True)
        ]

    async def deduplicate(self, items: list[Item], found: list[logic.Findings]) -> None:
        """Examples that pass so far claim their place among the job's accepted ones, one
        claim per job and embedding backend in the batch."""
        groups: dict[tuple[str, str], list[int]] = defaultdict(list)
        for i, item in enumerate(items):
            if "duplicates" in item.quality.checks and logic.eligible(found[i], item.quality):
                groups[(item.example.job_id, item.quality.embedding_backend)].append(i)
        for (job_id, choice), indices in groups.items():
            embedder = self.embedders.get(choice)
            vectors = embedder.encode([items[i].pair for i in indices])
            candidates = [
                Candidate(items[i].example.event_id, fingerprints(items[i])) for i in indices
            ]
            threshold = items[indices[0]].quality.near_duplicate_threshold
            decisions = await self.index.claim(
                job_id, embedder.name, candidates, vectors, threshold
            )
            for i, decision in zip(indices, decisions, strict=True):
                found[i]["duplicates"] = duplicate(decision, embedder.name)


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
