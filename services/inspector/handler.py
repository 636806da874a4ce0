"""The inspector's I/O shell: scores a batch of examples with the loaded models and the
LLM judge, and describes each for the export's duplicate removal."""

from __future__ import annotations

from collections import defaultdict

from services.inspector import logic
from services.inspector.checks.base import Item
from services.inspector.checks.duplicates import Described, fingerprints
from services.inspector.embeddings import Embedders
from services.inspector.judge import Judge
from services.inspector.outcomes import scored
from shared.contract.events import ExampleGenerated
from shared.contract.vectors import pack
from shared.runtime.stage import Outcome, Work


class Inspector:
    def __init__(self, models: logic.Models, embedders: Embedders, judge: Judge) -> None:
        self.models, self.embedders, self.judge = models, embedders, judge

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
