"""A realistic event log for projector benchmarks: jobs of pages, ~30 events per page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from redis.asyncio import Redis

from shared import streams, wire
from shared.config import JobConfig
from shared.events import (
    ChunkDropped,
    ChunkGenerated,
    ChunkMade,
    DocumentRefined,
    Event,
    ExampleGenerated,
    ExampleScored,
    FetchPage,
    ItemFailed,
    JobCompleted,
    JobSubmitted,
    PageFetched,
    ProjectCreated,
    caused,
)
from shared.ids import derive

Log = list[tuple[str, Event]]
T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
TEXT = "A chisel is a hand tool with a sharpened edge, used to cut and shape wood. " * 25
EXAMPLES_PER_CHUNK = (3, 3, 4)


def _at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def _examples(chunk: ChunkMade, n: int, t: float) -> Log:
    log: Log = []
    for i in range(n):
        example = caused(
            chunk, ExampleGenerated, "example", i, chunk_id=chunk.event_id,
            document_id=chunk.document_id, url=chunk.url, template="qa",
            input=f"What is item {i} about?", output=TEXT[:400], fields={"i": i},
            model="gpt-4o-mini", prompt_tokens=600, completion_tokens=90, cost_usd=0.0002,
            at=_at(t),
        )  # fmt: skip
        scored = caused(
            example, ExampleScored, "scored", example=example, scores={"readability": 0.8},
            score=0.9 - 0.05 * i, passed=i % 4 != 3, reasons=[] if i % 4 != 3 else ["low_score"],
            at=_at(t + 1),
        )  # fmt: skip
        log += [(streams.INSPECTOR, example), (streams.SHIPPER, scored)]
    generated = caused(
        chunk, ChunkGenerated, "generated", chunk_id=chunk.event_id, examples=n,
        model="gpt-4o-mini", prompt_tokens=600, completion_tokens=90 * n, cost_usd=0.0002 * n,
        at=_at(t),
    )  # fmt: skip
    return [*log, (streams.EVENTS, generated)]


def _chunks(page: PageFetched, n: int, t: float) -> Log:
    log: Log = []
    for i in range(n):
        # Not `caused`: its `index` argument would collide with the chunk's own field.
        chunk = ChunkMade(
            event_id=derive(page.event_id, "chunk", i), job_id=page.job_id,
            caused_by=page.event_id, document_id=page.event_id, url=page.url, index=i,
            text=TEXT, token_count=420, char_start=i * 1900, char_end=(i + 1) * 1900,
            language="en", at=_at(t),
        )  # fmt: skip
        log += [(streams.FACTORY, chunk), *_examples(chunk, EXAMPLES_PER_CHUNK[i], t + 1)]
    return log


def _page(job: JobSubmitted, n: int, url: str, t: float) -> Log:
    fetch = FetchPage(
        event_id=derive(job.job_id, "fetch", url), job_id=job.job_id, caused_by=job.event_id,
        url=url, at=_at(t),
    )  # fmt: skip
    if n % 10 == 9:
        failed = caused(
            fetch, ItemFailed, "spider-failed", stage="spider", item_id=fetch.event_id,
            reason="http_404", detail="404 text/html", url=url, at=_at(t + 1),
        )  # fmt: skip
        return [(streams.SPIDER, fetch), (streams.EVENTS, failed)]
    page = caused(
        fetch, PageFetched, "page", url=url, final_url=url, status_code=200,
        content_type="text/html", html_path=f"/data/raw/{n}.html", title=f"Page {n}",
        language="en", content_hash=f"h{n}", at=_at(t + 1),
    )  # fmt: skip
    dropped = n % 7 == 3
    refined = caused(
        page, DocumentRefined, "refined", document_id=page.event_id, url=url, chunks=3,
        dropped=int(dropped), extractor="trafilatura", text_chars=5700, at=_at(t + 2),
    )  # fmt: skip
    log: Log = [(streams.SPIDER, fetch), (streams.REFINER, page), (streams.EVENTS, refined)]
    if dropped:
        chunk_id = derive(page.event_id, "chunk", 3)
        drop = caused(
            page, ChunkDropped, "dropped", chunk_id=chunk_id, document_id=page.event_id,
            url=url, reason="duplicate", at=_at(t + 2),
        )  # fmt: skip
        log.append((streams.EVENTS, drop))
    return log + _chunks(page, len(EXAMPLES_PER_CHUNK), t + 2)


def job_log(index: int, pages: int) -> Log:
    """One project with one job of `pages` pages, a tenth of them failing at the spider."""
    project = ProjectCreated(
        event_id=f"pc_{index}", job_id="", project_id=f"proj_{index}", name=f"P{index}"
    )
    urls = [f"https://site{index}.example/{n}" for n in range(pages)]
    job = JobSubmitted(
        event_id=f"js_{index}", job_id=f"job_{index}", project_id=project.project_id,
        urls=urls, config=JobConfig(), at=_at(index),
    )  # fmt: skip
    log: Log = [(streams.EVENTS, project), (streams.EVENTS, job)]
    for n, url in enumerate(urls):
        log += _page(job, n, url, index + n * 0.01)
    done = caused(job, JobCompleted, "done", at=_at(index + pages))
    return [*log, (streams.SHIPPER, done)]


def build(jobs: int, pages: int) -> Log:
    return [entry for index in range(jobs) for entry in job_log(index, pages)]


async def publish(redis: Redis, log: Log, chunk: int = 1000) -> None:
    """Writes the log in pipelined chunks; entry order is the list's order."""
    for start in range(0, len(log), chunk):
        async with redis.pipeline(transaction=False) as pipe:
            for stream, event in log[start : start + chunk]:
                pipe.xadd(stream, {wire.DATA_FIELD: wire.encode(event)})
            await pipe.execute()
