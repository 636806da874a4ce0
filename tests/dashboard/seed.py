"""A log for the dashboard's tests: a finished job of 300 examples with its export files, and
a job still running; scraped text in both carries markup that must show as text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from redis.asyncio import Redis

from shared import streams, wire
from shared.config import JobConfig
from shared.events import (
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
    caused,
)
from shared.ids import derive

HOSTILE = '<script>window.__pwned = 1</script><img src="x" onerror="window.__pwned = 2">'
Log = list[tuple[str, Event]]


def now(seconds: float = 0) -> datetime:
    return datetime.now(UTC) - timedelta(minutes=30) + timedelta(seconds=seconds)


def project(project_id: str, name: str) -> ProjectCreated:
    return ProjectCreated(
        event_id=derive(project_id, "created"),
        job_id="",
        project_id=project_id,
        name=name,
        description="Hand tools from the docs site",
        at=now(),
    )


def _page(fetch: FetchPage, i: int) -> PageFetched:
    return caused(
        fetch,
        PageFetched,
        "page",
        url=fetch.url,
        final_url=fetch.url,
        status_code=200,
        content_type="text/html",
        html_path=f"raw/{i}.html",
        title=f"Page {i} {HOSTILE}",
        language="en",
        content_hash=f"h{i}",
        text_tokens=1500,
        at=now(2),
    )


def _examples(chunk: ChunkMade, per_chunk: int, k: int) -> Log:
    log: Log = []
    for n in range(per_chunk):
        example = caused(
            chunk,
            ExampleGenerated,
            "example",
            n,
            chunk_id=chunk.event_id,
            document_id=chunk.document_id,
            url=chunk.url,
            template="qa",
            input=f"What does a chisel do? {HOSTILE}",
            output=f"It cuts wood. Example {k}.{n}",
            model="gpt-4o-mini",
            prompt_tokens=300,
            completion_tokens=60,
            cost_usd=0.00008,
            at=now(4),
        )
        score = ((k * per_chunk + n) * 37 % 100) / 100
        scored = caused(
            example,
            ExampleScored,
            "scored",
            example=example,
            scores={"readability": score},
            score=score,
            passed=score >= 0.3,
            reasons=[] if score >= 0.3 else ["low_score"],
            at=now(5),
        )
        log += [(streams.INSPECTOR, example), (streams.SHIPPER, scored)]
    return log


def _document(job: JobSubmitted, fetch: FetchPage, i: int, chunks: int, per_chunk: int) -> Log:
    page = _page(fetch, i)
    log: Log = [(streams.REFINER, page)]
    refined = caused(
        page,
        DocumentRefined,
        "refined",
        document_id=page.event_id,
        url=page.url,
        chunks=chunks,
        dropped=0,
        language="en",
        extractor="trafilatura",
        text_chars=2000,
        chunks_over_cap=7 if i == 0 else 0,
        at=now(3),
    )
    for c in range(chunks):
        chunk = caused(
            page,
            ChunkMade,
            "chunk",
            c,
            document_id=page.event_id,
            url=page.url,
            index=c,
            text=f"A chisel {HOSTILE} cuts.",
            token_count=400,
            char_start=c * 500,
            char_end=c * 500 + 499,
            language="en",
            at=now(3),
        )
        generated = caused(
            chunk,
            ChunkGenerated,
            "generated",
            chunk_id=chunk.event_id,
            examples=per_chunk,
            model="gpt-4o-mini",
            prompt_tokens=300 * per_chunk,
            completion_tokens=60 * per_chunk,
            cost_usd=0.00008 * per_chunk,
            at=now(4),
        )
        log += [(streams.FACTORY, chunk), *_examples(chunk, per_chunk, i * chunks + c)]
        log.append((streams.EVENTS, generated))
    return [*log, (streams.EVENTS, refined)]


def job_log(
    project_id: str, job_id: str, urls: int, fetched: int, chunks: int = 3, per_chunk: int = 5
) -> Log:
    """`fetched` of `urls` pages fetched and run through; the rest fail (a finished job) or
    have no outcome yet."""
    addresses = [f"https://docs.example.com/tools/{i}" for i in range(urls)]
    job = JobSubmitted(
        event_id=derive(job_id, "submitted"),
        job_id=job_id,
        project_id=project_id,
        urls=addresses,
        config=JobConfig(),
        at=now(1),
    )
    fetches = [
        FetchPage(
            event_id=derive(job_id, "fetch", u),
            job_id=job_id,
            caused_by=job.event_id,
            url=u,
            at=now(1),
        )
        for u in addresses
    ]
    log: Log = [(streams.EVENTS, job), *((streams.SPIDER, f) for f in fetches)]
    for i, fetch in enumerate(fetches[:fetched]):
        log += _document(job, fetch, i, chunks, per_chunk)
    return log


def failures(log: Log, urls: int, fetched: int) -> Log:
    """The spider's failure of each page it did not fetch, with a detail full of markup."""
    fetches = [e for s, e in log if isinstance(e, FetchPage)]
    return [
        (
            streams.EVENTS,
            caused(
                f,
                ItemFailed,
                "spider-failed",
                stage="spider",
                item_id=f.event_id,
                reason="http_404",
                detail=f"404 {HOSTILE}",
                url=f.url,
                at=now(2.5),
            ),
        )
        for f in fetches[fetched:urls]
    ]


def finish(job_id: str, data_dir: Path, records: int, rejected: int) -> Log:
    """The job's completion and its export, whose files are written under `data_dir`."""
    folder = data_dir / "exports" / job_id
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "dataset.jsonl").write_text('{"input": "q", "output": "a"}\n' * records)
    (folder / "README.md").write_text(f"# Dataset card\n\n{records} examples.\n\n{HOSTILE}\n")
    completed = JobCompleted(event_id=derive(job_id, "done"), job_id=job_id, at=now(6))
    export = caused(
        completed,
        ExportWritten,
        "export",
        export_id=derive(completed.event_id, "export"),
        format="jsonl",
        path=str(folder / "dataset.jsonl"),
        card_path=str(folder / "README.md"),
        record_count=records,
        rejected_count=rejected,
        version="v20260301T120006Z",
        at=now(7),
    )
    return [(streams.SHIPPER, completed), (streams.EVENTS, export)]


async def publish(redis: Redis, log: Log) -> None:
    async with redis.pipeline(transaction=False) as pipe:
        for stream, event in log:
            pipe.xadd(stream, {wire.DATA_FIELD: wire.encode(event)})
        await pipe.execute()


async def seed(redis: Redis, data_dir: Path) -> dict[str, str]:
    """Projects and jobs of the dashboard's tests; returns their ids by role."""
    done = job_log("proj_tools", "job_done", urls=22, fetched=20)
    done += failures(done, 22, 20)
    passed = sum(1 for _, e in done if isinstance(e, ExampleScored) and e.passed)
    done += finish("job_done", data_dir, passed, 300 - passed)
    active = job_log("proj_tools", "job_active", urls=10, fetched=4, chunks=2, per_chunk=3)
    log = [(streams.EVENTS, project("proj_tools", f"Tools {HOSTILE}")), *done, *active]
    await publish(redis, log)
    return {"project": "proj_tools", "done": "job_done", "active": "job_active"}
