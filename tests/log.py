"""A job's log as the stages write it, stream by stream, for tests and benchmarks.

The stages' events go through their own outcome builders. The gateway's commands, the commit
that completes a job and the shipper's export (whose builder wants a written manifest) are
built here with the ids the gateway, the commit and the shipper derive.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from redis.asyncio import Redis

from services.factory import outcomes as factory
from services.factory.values import Spend, Usage
from services.inspector import outcomes as inspector
from services.inspector.logic import Verdict
from services.refiner import outcomes as refiner
from services.refiner.dedup import Decision
from services.refiner.logic import Chunk, Document
from services.spider import outcomes as spider
from services.spider.describe import Meta
from services.spider.page import Got, parse
from shared.contract import streams, wire
from shared.contract.config import GenerationConfig, JobConfig
from shared.contract.events import (
    ChunkMade,
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
    caused,
    export_id,
)
from shared.contract.ids import derive
from shared.contract.templates import ExampleFields
from shared.runtime.commit import Emit
from shared.runtime.stage import failure

E = TypeVar("E", bound=Event)
Entry = tuple[str, Event]
T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
MODEL = "gpt-4o-mini"
_BLANK = parse("<html></html>")  # the spider's events keep what it read, not the page


def at(seconds: float, t0: datetime = T0) -> datetime:
    return t0 + timedelta(seconds=seconds)


@dataclass
class Log:
    """Entries in the order the stages would write them; `t` of each is seconds after `t0`."""

    t0: datetime = T0
    entries: list[Entry] = field(default_factory=list)

    def __iter__(self) -> Iterator[Entry]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def add(self, stream: str, event: E, t: float) -> E:
        stamped = event.model_copy(update={"at": at(t, self.t0)})
        self.entries.append((stream, stamped))
        return stamped

    def emitted(self, emits: Sequence[Emit], t: float) -> list[Event]:
        return [self.add(e.stream, e.event, t) for e in emits]

    def put(self, emit: Emit, t: float) -> Any:
        """The one event of a builder that returns an Emit."""
        return self.add(emit.stream, emit.event, t)

    # The gateway's commands
    def project(self, project_id: str, name: str, description: str = "", t: float = 0) -> Any:
        event = ProjectCreated(
            event_id=derive(project_id, "created"),
            job_id="",
            project_id=project_id,
            name=name,
            description=description,
        )
        return self.add(streams.EVENTS, event, t)

    def submit(
        self,
        job_id: str,
        project_id: str,
        urls: list[str],
        config: JobConfig | None = None,
        t: float = 1,
    ) -> JobSubmitted:
        event = JobSubmitted(
            event_id=derive(job_id, "submitted"),
            job_id=job_id,
            project_id=project_id,
            urls=urls,
            config=config or JobConfig(),
        )
        return self.add(streams.EVENTS, event, t)

    def invalid(self, job: JobSubmitted, index: int, url: str, reason: str, t: float) -> Any:
        """A submitted URL refused before it became a work item."""
        event = caused(
            job, ItemFailed, "invalid", index, stage="gateway",
            item_id=derive(job.job_id, "url", index), reason="invalid_url", detail=reason, url=url,
        )  # fmt: skip
        return self.add(streams.EVENTS, event, t)

    def fetch(self, job: JobSubmitted, url: str, t: float) -> FetchPage:
        # Not `caused`: the gateway and the spider's crawler give a URL the same id.
        ids = {"event_id": derive(job.job_id, "fetch", url), "caused_by": job.event_id}
        event = FetchPage(job_id=job.job_id, project_id=job.project_id, url=url, **ids)
        return self.add(streams.SPIDER, event, t)

    # The spider
    def fetched(self, cmd: FetchPage, t: float, **meta: Any) -> PageFetched:
        """The page as fetched over httpx; `meta` overrides what the spider describes."""
        got = Got(_BLANK, meta.pop("final_url", cmd.url), 200, "text/html", "utf-8")
        described: dict[str, Any] = {"title": None, "language": None, "published": None}
        described |= {"content_hash": cmd.url, "text_tokens": None, **meta}
        delay = described.pop("crawl_delay_s", None)
        event = spider.fetched(cmd, got, Meta(**described), delay).event
        assert isinstance(event, PageFetched)
        return self.add(streams.REFINER, event, t)

    def fetch_failed(self, cmd: FetchPage, reason: str, t: float, detail: str = "") -> Any:
        """The page's failure, or its skip when the spider skips for `reason`."""
        return self.put(spider.failed(cmd, reason, detail), t)

    def failed(
        self, stage: str, item: Event, reason: str, t: float, detail: str = "", **extra: Any
    ) -> ItemFailed:
        """A work item's failure or skip (`outcome="skipped"`), as the runtime records it."""
        event = failure(stage, item, reason, detail, **extra).event
        assert isinstance(event, ItemFailed)
        return self.add(streams.EVENTS, event, t)

    # The refiner
    def refine(
        self,
        page: PageFetched,
        texts: Sequence[str],
        t: float,
        dropped: Mapping[int, Decision] | None = None,
        tokens: Sequence[int] | int = 40,
        span: int = 100,
        **doc: Any,
    ) -> list[ChunkMade]:
        """Chunk i of `texts` spans `span` characters from i * span; `dropped` holds dedup's
        decisions by index. Returns the chunks made."""
        counts = [tokens] * len(texts) if isinstance(tokens, int) else tokens
        chunks = tuple(
            Chunk(
                i, text, counts[i], i * span, i * span + span - 1, doc.get("language", "en"), None
            )
            for i, text in enumerate(texts)
        )
        doc = {"text": "x" * 300, "extractor": "trafilatura", "language": "en", **doc}
        document = Document(chunks=chunks, **doc)
        events = self.emitted(refiner.of_document(page, document, dict(dropped or {})), t)
        return [e for e in events if isinstance(e, ChunkMade)]

    def refine_failed(self, page: PageFetched, reason: str, t: float, detail: str = "") -> Any:
        """The page's failure, or its skip when the refiner skips for `reason`."""
        return self.put(refiner.skipped(page, reason, detail), t)

    # The factory
    def generate(
        self,
        chunk: ChunkMade,
        items: Sequence[ExampleFields],
        usage: Usage,
        t: float,
        template: str = "qa",
    ) -> list[ExampleGenerated]:
        """The chunk's examples, which share `usage` evenly, and its ChunkAnswered total."""
        gen = GenerationConfig(template=template)
        events = self.emitted(factory.generated(chunk, gen, list(items), usage, MODEL), t)
        return [e for e in events if isinstance(e, ExampleGenerated)]

    def generation_failed(
        self, chunk: ChunkMade, reason: str, usage: Usage, t: float, detail: str = ""
    ) -> Any:
        """The chunk got no usable answer; what its calls cost is on the failure."""
        return self.put(factory.failed(chunk, reason, detail, Spend(usage)), t)

    # The inspector
    def score(
        self,
        example: ExampleGenerated,
        t: float,
        score: float,
        passed: bool,
        scores: dict[str, float] | None = None,
        reasons: Sequence[str] = (),
    ) -> ExampleScored:
        scores = scores or {"readability": score}
        verdict = Verdict(scores, score, passed, list(reasons), [], {})
        emit = inspector.scored(example, verdict)
        assert isinstance(emit.event, ExampleScored)
        return self.add(emit.stream, emit.event, t)

    # The commit that settles a job's last item, and the shipper
    def complete(self, job_id: str, t: float) -> JobCompleted:
        event = JobCompleted(event_id=derive(job_id, "done"), job_id=job_id)
        return self.add(streams.SHIPPER, event, t)

    def export(self, cause: Event, t: float, **fields: Any) -> ExportWritten:
        """The export `cause` (JobCompleted or ExportJob) made; `fields` are its figures.
        Its id is the one the shipper derives; its time is `t`."""
        fields = {"format": "jsonl", "version": "v20260301T120006Z", **fields}
        event = caused(cause, ExportWritten, "export", export_id=export_id(cause), **fields)
        return self.add(streams.EVENTS, event, t)

    async def publish(self, redis: Redis, chunk: int = 1000) -> None:
        """Writes the log in pipelined chunks, in the list's order."""
        for start in range(0, len(self.entries), chunk):
            async with redis.pipeline(transaction=False) as pipe:
                for stream, event in self.entries[start : start + chunk]:
                    pipe.xadd(stream, {wire.DATA_FIELD: wire.encode(event)})
                await pipe.execute()


def qa(n: int, **fields: Any) -> list[ExampleFields]:
    """`n` generated question-answer items."""
    return [
        ExampleFields(input=f"Question {i}?", output=f"Answer {i}.", fields={"n": i, **fields})
        for i in range(n)
    ]
