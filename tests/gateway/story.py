"""A hand-built log of one job, as the stages would write it, stream by stream."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from shared import streams
from shared.config import JobConfig
from shared.events import (
    ChunkDropped,
    ChunkGenerated,
    ChunkMade,
    DocumentRefined,
    Event,
    ExampleGenerated,
    ExampleScored,
    ExportWritten,
    FetchPage,
    ItemFailed,
    JobCompleted,
    JobSubmitted,
    PageFetched,
    ProjectCreated,
)
from shared.ids import derive

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
CONFIG = JobConfig()
URLS = ["https://example.com/a", "https://example.com/b"]


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


class Story:
    """Events of a job: two URLs, one fetched and one failed; one chunk fails at the factory."""

    def __init__(self, job_id: str = "job_a", project_id: str = "proj_a") -> None:
        self.job_id, self.project_id = job_id, project_id
        j: dict[str, Any] = {"job_id": job_id}
        self.project = ProjectCreated(
            event_id=derive(project_id, "created"),
            job_id="",
            project_id=project_id,
            name="Docs",
            description="docs pages",
            at=at(0),
        )
        self.submitted = JobSubmitted(
            event_id=derive(job_id, "submitted"),
            project_id=project_id,
            urls=URLS,
            config=CONFIG,
            at=at(1),
            **j,
        )
        self.fetches = [
            FetchPage(
                event_id=derive(job_id, "fetch", u),
                caused_by=self.submitted.event_id,
                url=u,
                at=at(1),
                **j,
            )
            for u in URLS
        ]
        self.page = PageFetched(
            event_id=derive(self.fetches[0].event_id, "page"),
            caused_by=self.fetches[0].event_id,
            url=URLS[0],
            final_url=URLS[0],
            status_code=200,
            content_type="text/html",
            html_key="raw/job/a.html",
            title="A",
            language="en",
            content_hash="h1",
            at=at(2),
            **j,
        )
        self.fetch_failed = ItemFailed(
            event_id=derive(self.fetches[1].event_id, "spider-failed"),
            stage="spider",
            item_id=self.fetches[1].event_id,
            reason="http_404",
            detail="404 text/html",
            url=URLS[1],
            at=at(2.5),
            **j,
        )
        doc = self.page.event_id
        self.chunks = [
            ChunkMade(
                event_id=derive(doc, "chunk", i),
                caused_by=doc,
                document_id=doc,
                url=URLS[0],
                index=i,
                text=f"chunk text {i}",
                token_count=40 + i,
                char_start=i * 100,
                char_end=i * 100 + 99,
                language="en",
                at=at(3),
                **j,
            )
            for i in range(2)
        ]
        self.dropped = ChunkDropped(
            event_id=derive(derive(doc, "chunk", 2), "dropped"),
            chunk_id=derive(doc, "chunk", 2),
            document_id=doc,
            url=URLS[0],
            reason="duplicate",
            duplicate_of=self.chunks[0].event_id,
            at=at(3),
            **j,
        )
        self.refined = DocumentRefined(
            event_id=derive(doc, "refined"),
            caused_by=doc,
            document_id=doc,
            url=URLS[0],
            chunks=2,
            dropped=1,
            language="en",
            extractor="trafilatura",
            text_chars=300,
            at=at(3),
            **j,
        )
        c0 = self.chunks[0].event_id
        self.examples = [
            ExampleGenerated(
                event_id=derive(c0, "example", i),
                caused_by=c0,
                chunk_id=c0,
                document_id=doc,
                url=URLS[0],
                template="qa",
                input=f"Question {i}?",
                output=f"Answer {i}.",
                fields={"n": i},
                model="gpt-4o-mini",
                prompt_tokens=60,
                completion_tokens=20,
                cost_usd=0.0011,
                at=at(4),
                **j,
            )
            for i in range(2)
        ]
        self.generated = ChunkGenerated(
            event_id=derive(c0, "generated"),
            caused_by=c0,
            chunk_id=c0,
            examples=2,
            model="gpt-4o-mini",
            prompt_tokens=120,
            completion_tokens=40,
            cost_usd=0.0022,
            at=at(4),
            **j,
        )
        self.factory_failed = ItemFailed(
            event_id=derive(self.chunks[1].event_id, "factory-failed"),
            stage="factory",
            item_id=self.chunks[1].event_id,
            reason="llm_invalid_json",
            url=URLS[0],
            # the unusable answer was paid for
            prompt_tokens=30,
            completion_tokens=10,
            cost_usd=0.0005,
            at=at(4.5),
            **j,
        )
        self.scored = [
            ExampleScored(
                event_id=derive(ex.event_id, "scored"),
                caused_by=ex.event_id,
                example=ex,
                scores={"readability": 0.8},
                score=0.9 - 0.5 * i,
                passed=i == 0,
                reasons=[] if i == 0 else ["low_score"],
                at=at(5),
                **j,
            )
            for i, ex in enumerate(self.examples)
        ]
        self.completed = JobCompleted(event_id=derive(job_id, "done"), at=at(6), **j)
        self.export = ExportWritten(
            event_id=derive(self.completed.event_id, "export"),
            export_id=derive(self.completed.event_id, "export"),
            format="jsonl",
            key="exports/job/v1/dataset.jsonl",
            card_key="exports/job/v1/README.md",
            record_count=1,
            rejected_count=1,
            version="v20260301T120006Z",
            at=at(7),
            **j,
        )

    def log(self) -> list[tuple[str, Event]]:
        """Until the job completes, in the order the stages would write it."""
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
