"""Pure tallies of what the earlier stages did for a job, folded from its events on the log.

Counted as the read models count: each event id once, pages fetched as the refiner's outcomes
(every fetched page gets exactly one), chunk totals from DocumentRefined, cost and tokens of
generated and failed chunks alike, in nano-dollars so that any order sums the same."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from services.shipper.stats import domain
from shared.contract.events import (
    ChunkAnswered,
    ChunkDropped,
    DocumentRefined,
    Event,
    ExampleReviewed,
    ItemFailed,
    JobSubmitted,
)

NANO = 1_000_000_000
Bad = Counter[tuple[str, str, str]]  # (stage, outcome, reason) -> items


@dataclass
class JobFacts:
    urls: int = 0
    project_id: str = ""
    documents: int = 0
    chunks: int = 0
    dropped: int = 0
    calls: int = 0  # chunks the factory generated from
    examples: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_nano: int = 0
    bad: Bad = field(default_factory=Counter)
    pages: Counter[str] = field(default_factory=Counter)  # fetched pages per domain
    extractors: Counter[str] = field(default_factory=Counter)
    drops: Counter[str] = field(default_factory=Counter)  # dropped chunks per reason
    models: Counter[str] = field(default_factory=Counter)  # chunks per model
    seen: set[str] = field(default_factory=set)
    # Batch mode: (what the tokens cost online, what batch mode saved), priced by the shipper.
    batch_saving: tuple[float, float] | None = None
    reviews: list[ExampleReviewed] = field(default_factory=list)  # an export applies them

    @property
    def fetched(self) -> int:
        return sum(self.pages.values())

    @property
    def cost_usd(self) -> float:
        return self.cost_nano / NANO

    def failures(self, stage: str) -> Counter[tuple[str, str]]:
        return Counter({(o, r): n for (s, o, r), n in self.bad.items() if s == stage})

    def add(self, event: Event) -> None:
        if event.event_id in self.seen:
            return
        self.seen.add(event.event_id)
        if isinstance(event, JobSubmitted):
            self.urls = len(event.urls)
            self.project_id = event.project_id
        elif isinstance(event, ItemFailed):
            self._failed(event)
        elif isinstance(event, DocumentRefined):
            self._refined(event)
        elif isinstance(event, ChunkDropped):
            self.drops[event.reason] += 1
        elif isinstance(event, ChunkAnswered):
            self._generated(event)
        elif isinstance(event, ExampleReviewed):
            self.reviews.append(event)

    def _failed(self, e: ItemFailed) -> None:
        self.bad[e.stage, e.outcome, e.reason] += 1
        if e.stage == "refiner":
            self.pages[domain(e.url)] += 1
        elif e.stage == "factory":  # unusable answers were still paid for
            self._spent(e)

    def _spent(self, e: ChunkAnswered | ItemFailed) -> None:
        self.prompt_tokens += e.prompt_tokens
        self.completion_tokens += e.completion_tokens
        self.cost_nano += round(e.cost_usd * NANO)

    def _refined(self, e: DocumentRefined) -> None:
        self.documents += 1
        self.pages[domain(e.url)] += 1
        self.extractors[e.extractor] += 1
        self.chunks += e.chunks
        self.dropped += e.dropped

    def _generated(self, e: ChunkAnswered) -> None:
        self.calls += 1
        self.examples += e.examples
        self.models[e.model] += 1
        self._spent(e)
