"""A hand-built log of one finished job as the stages write it: pages on three domains, some
refused by robots.txt or failing, a page skipped for its language, duplicate chunks, a chunk
whose paid answer was unusable, and scored examples (some rejected)."""

from __future__ import annotations

from dataclasses import dataclass, field

from shared import streams
from shared.config import JobConfig
from shared.events import (
    ChunkDropped,
    ChunkGenerated,
    ChunkMade,
    DocumentRefined,
    Event,
    ExampleScored,
    FetchPage,
    ItemFailed,
    JobCompleted,
    JobSubmitted,
    PageFetched,
    caused,
)
from shared.ids import derive
from tests.shipper.samples import scored

DOMAINS = ("a.test", "b.test", "c.test")


@dataclass
class JobLog:
    job_id: str
    config: JobConfig
    entries: list[tuple[str, Event]] = field(default_factory=list)

    def add(self, stream: str, event: Event) -> None:
        self.entries.append((stream, event))

    @property
    def completed(self) -> JobCompleted:
        return JobCompleted(event_id=derive(self.job_id, "done"), job_id=self.job_id)


def _fetch(job: JobSubmitted, url: str) -> FetchPage:
    return FetchPage(event_id=derive(job.job_id, "fetch", url), job_id=job.job_id, url=url)


def _page(cmd: FetchPage) -> PageFetched:
    return caused(
        cmd,
        PageFetched,
        "page",
        url=cmd.url,
        final_url=cmd.url,
        status_code=200,
        content_type="text/html",
        html_path="/nowhere.html",
        content_hash=cmd.url,
    )


def _failed(cmd: Event, stage: str, reason: str, outcome: str = "failed", **kw: float) -> Event:
    url = getattr(cmd, "url", None)
    return caused(
        cmd, ItemFailed, f"{stage}-failed", stage=stage, item_id=cmd.event_id, reason=reason,
        outcome=outcome, url=url, **kw,
    )  # fmt: skip


def _refined(page: PageFetched, chunks: int, dropped: int) -> DocumentRefined:
    return caused(
        page, DocumentRefined, "refined", document_id=page.event_id, url=page.url, chunks=chunks,
        dropped=dropped, language="en", extractor="trafilatura", text_chars=900,
    )  # fmt: skip


def _chunk(page: PageFetched, index: int) -> ChunkMade:
    return ChunkMade(
        event_id=derive(page.event_id, "chunk", index), job_id=page.job_id,
        document_id=page.event_id, url=page.url, index=index, text=f"text {index}",
        token_count=40, char_start=0, char_end=10, language="en",
    )  # fmt: skip


def _generated(page: PageFetched, chunk: int, examples: int) -> ChunkGenerated:
    chunk_id = derive(page.event_id, "chunk", chunk)
    return ChunkGenerated(
        event_id=derive(chunk_id, "generated"), job_id=page.job_id, chunk_id=chunk_id,
        examples=examples, model="gpt-4o-mini", prompt_tokens=300, completion_tokens=90,
        cost_usd=0.000123,
    )  # fmt: skip


def _scored(page: PageFetched, n: int, passed: bool) -> ExampleScored:
    s = scored(n, job=page.job_id, passed=passed, document=page.event_id)
    example = s.example.model_copy(update={"url": page.url})
    return s.model_copy(update={"example": example})


def job_log(job_id: str = "job_story", pages: int = 9, config: JobConfig | None = None) -> JobLog:
    config = config or JobConfig()
    urls = [f"http://{DOMAINS[i % 3]}/p{i}" for i in range(pages)]
    log = JobLog(job_id, config)
    job = JobSubmitted(
        event_id=derive(job_id, "submitted"), job_id=job_id, project_id="proj", urls=urls,
        config=config,
    )  # fmt: skip
    log.add(streams.EVENTS, job)
    log.add(streams.EVENTS, _failed(job, "gateway", "invalid_url"))
    n = 0
    for i, url in enumerate(urls):
        cmd = _fetch(job, url)
        log.add(streams.SPIDER, cmd)
        if i == 1:
            log.add(streams.EVENTS, _failed(cmd, "spider", "robots_disallowed", "skipped"))
            continue
        if i == 2:
            log.add(streams.EVENTS, _failed(cmd, "spider", "http_404"))
            continue
        page = _page(cmd)
        log.add(streams.REFINER, page)
        if i == 4:
            log.add(streams.EVENTS, _failed(page, "refiner", "language:de", "skipped"))
            continue
        log.add(streams.EVENTS, _refined(page, chunks=2, dropped=1))
        dropped = derive(page.event_id, "chunk", 2)
        drop = ChunkDropped(
            event_id=derive(dropped, "dropped"), job_id=job_id, chunk_id=dropped,
            document_id=page.event_id, url=url, reason="near_duplicate" if i % 2 else "duplicate",
        )  # fmt: skip
        log.add(streams.EVENTS, drop)
        made = [_chunk(page, index) for index in range(2)]
        for chunk in made:
            log.add(streams.FACTORY, chunk)
        log.add(streams.EVENTS, _generated(page, 0, examples=3))
        cost = {"prompt_tokens": 200, "completion_tokens": 50, "cost_usd": 0.000077}
        log.add(streams.EVENTS, _failed(made[1], "factory", "llm_invalid_json", **cost))
        for _ in range(3):
            log.add(streams.SHIPPER, _scored(page, n, passed=n % 4 != 1))
            n += 1
    return log
