"""A log for the dashboard's tests: a finished job of 300 examples with its export files, and
a job still running; scraped text in both carries markup that must show as text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from redis.asyncio import Redis

from services.factory.values import Usage
from shared.contract import streams
from shared.contract.events import ExampleScored, JobCancelled, PageFetched
from shared.contract.ids import derive
from shared.contract.templates import ExampleFields
from tests.log import Entry, Log

HOSTILE = '<script>window.__pwned = 1</script><img src="x" onerror="window.__pwned = 2">'


def _examples(log: Log, page: PageFetched, i: int, chunks: int, per_chunk: int) -> None:
    texts = [f"A chisel {HOSTILE} cuts."] * chunks
    doc: dict[str, Any] = {"text": "x" * 2000, "over_cap": 7 if i == 0 else 0}
    for c, chunk in enumerate(log.refine(page, texts, 3, tokens=400, span=500, **doc)):
        k = i * chunks + c
        items = [
            ExampleFields(
                input=f"What does a chisel do? {HOSTILE}", output=f"It cuts wood. Example {k}.{n}"
            )
            for n in range(per_chunk)
        ]
        paid = Usage(300 * per_chunk, 60 * per_chunk, 0.00008 * per_chunk)
        for n, example in enumerate(log.generate(chunk, items, paid, 4)):
            score = ((k * per_chunk + n) * 37 % 100) / 100
            log.score(
                example, 5, score, score >= 0.3, reasons=[] if score >= 0.3 else ["low_score"]
            )


def job_log(
    log: Log,
    project_id: str,
    job_id: str,
    urls: int,
    fetched: int,
    finished: bool,
    chunks: int = 3,
    per_chunk: int = 5,
) -> None:
    """`fetched` of `urls` pages fetched and run through; the rest fail (a finished job) or
    have no outcome yet."""
    addresses = [f"https://docs.example.com/tools/{i}" for i in range(urls)]
    job = log.submit(job_id, project_id, addresses)
    fetches = [log.fetch(job, url, 1) for url in addresses]
    for i, fetch in enumerate(fetches[:fetched]):
        meta = {"title": f"Page {i} {HOSTILE}", "language": "en", "content_hash": f"h{i}"}
        page = log.fetched(fetch, 2, text_tokens=1500, **meta)
        _examples(log, page, i, chunks, per_chunk)
    for fetch in fetches[fetched:] if finished else ():
        log.fetch_failed(fetch, "http_404", 2.5, f"404 {HOSTILE}")


def finish(log: Log, job_id: str, data_dir: Path) -> None:
    """The job's completion and its export, whose files are written under `data_dir`."""
    scored = [e for _, e in log if isinstance(e, ExampleScored) and e.job_id == job_id]
    records = sum(s.passed for s in scored)
    folder = data_dir / "exports" / job_id
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "dataset.jsonl").write_text('{"input": "q", "output": "a"}\n' * records)
    (folder / "README.md").write_text(f"# Dataset card\n\n{records} examples.\n\n{HOSTILE}\n")
    keys = {"key": f"exports/{job_id}/dataset.jsonl", "card_key": f"exports/{job_id}/README.md"}
    completed = log.complete(job_id, 6)
    log.export(completed, 7, record_count=records, rejected_count=len(scored) - records, **keys)


async def publish(redis: Redis, entries: list[Entry]) -> None:
    await Log(entries=entries).publish(redis)


async def seed(redis: Redis, data_dir: Path) -> dict[str, str]:
    """Projects and jobs of the dashboard's tests; returns their ids by role."""
    log = Log(t0=datetime.now(UTC) - timedelta(minutes=30))
    log.project("proj_tools", f"Tools {HOSTILE}", "Hand tools from the docs site")
    job_log(log, "proj_tools", "job_done", urls=22, fetched=20, finished=True)
    finish(log, "job_done", data_dir)
    job_log(log, "proj_tools", "job_active", 10, 4, False, chunks=2, per_chunk=3)
    await log.publish(redis)
    return {"project": "proj_tools", "done": "job_done", "active": "job_active"}


async def seed_stopped(redis: Redis) -> dict[str, str]:
    """A job cancelled part way, with items still outstanding, and one whose every URL failed."""
    log = Log(t0=datetime.now(UTC) - timedelta(minutes=10))
    job_log(log, "proj_tools", "job_cancelled", 10, 3, False, chunks=2, per_chunk=3)
    cancel = JobCancelled(event_id=derive("job_cancelled", "cancel"), job_id="job_cancelled")
    log.add(streams.EVENTS, cancel, 200)
    job_log(log, "proj_tools", "job_failed", 3, 0, True)
    log.complete("job_failed", 300)
    await log.publish(redis)
    return {"cancelled": "job_cancelled", "failed": "job_failed"}
