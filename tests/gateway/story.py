"""One job's log, as the stages write it: two URLs, one fetched and one failed; one chunk
fails at the factory."""

from __future__ import annotations

from services.factory.values import Usage
from services.refiner.dedup import Decision
from services.refiner.outcomes import chunk_id
from shared.contract import streams
from shared.contract.config import JobConfig
from shared.contract.events import Event
from tests.log import Log, at, qa

CONFIG = JobConfig()
URLS = ["https://example.com/a", "https://example.com/b"]
__all__ = ["CONFIG", "URLS", "Story", "at"]


class Story:
    def __init__(self, job_id: str = "job_a", project_id: str = "proj_a") -> None:
        self.job_id, self.project_id = job_id, project_id
        log = Log()
        self.project = log.project(project_id, "Docs", "docs pages", t=0)
        self.submitted = log.submit(job_id, project_id, URLS, CONFIG, t=1)
        self.fetches = [log.fetch(self.submitted, u, t=1) for u in URLS]
        self.page = log.fetched(self.fetches[0], 2, title="A", language="en", content_hash="h1")
        self.fetch_failed = log.fetch_failed(self.fetches[1], "http_404", 2.5, "404 text/html")
        owner = Decision("duplicate", chunk_id(self.page, 0))
        texts = [f"chunk text {i}" for i in range(3)]
        self.chunks = log.refine(self.page, texts, 3, {2: owner}, tokens=[40, 41, 42])
        self.dropped, self.refined = log.entries[-2][1], log.entries[-1][1]
        paid = Usage(120, 40, 0.0022)
        self.examples = log.generate(self.chunks[0], qa(2), paid, 4)
        self.generated = log.entries[-1][1]
        unusable = Usage(30, 10, 0.0005)  # the unusable answer was paid for
        self.factory_failed = log.generation_failed(
            self.chunks[1], "llm_invalid_json", unusable, 4.5
        )
        self.scored = [
            log.score(
                ex, 5, 0.9 - 0.5 * i, i == 0, {"readability": 0.8}, [] if i == 0 else ["low_score"]
            )
            for i, ex in enumerate(self.examples)
        ]
        self.completed = log.complete(job_id, 6)
        self.export = log.export(
            self.completed, 7, key="exports/job/v1/dataset.jsonl",
            card_key="exports/job/v1/README.md", record_count=1, rejected_count=1,
        )  # fmt: skip

    def log(self) -> list[tuple[str, Event]]:
        """Until the job completes, in the order the stages would write it; built from the
        attributes, so that a test may replace one event."""
        return [
            (streams.EVENTS, self.project),
            (streams.EVENTS, self.submitted),
            *((streams.SPIDER, f) for f in self.fetches),
            (streams.REFINER, self.page),
            (streams.EVENTS, self.fetch_failed),
            *((streams.FACTORY, c) for c in self.chunks),
            (streams.EVENTS, self.dropped),
            (streams.EVENTS, self.refined),
            *((streams.INSPECTOR, e) for e in self.examples),
            (streams.EVENTS, self.generated),
            (streams.EVENTS, self.factory_failed),
            *((streams.SHIPPER, s) for s in self.scored),
            (streams.SHIPPER, self.completed),
            (streams.EVENTS, self.export),
        ]
