"""A realistic event log for projector benchmarks: jobs of pages, ~30 events per page, built
by the test log builder (`tests.log`)."""

from __future__ import annotations

from redis.asyncio import Redis

from services.factory.values import Usage
from services.refiner.dedup import Decision
from shared.contract.events import FetchPage, JobSubmitted
from shared.contract.templates import ExampleFields
from tests.log import Log

TEXT = "A chisel is a hand tool with a sharpened edge, used to cut and shape wood. " * 25
EXAMPLES_PER_CHUNK = (3, 3, 4)


def _examples(n: int) -> list[ExampleFields]:
    return [
        ExampleFields(input=f"What is item {i} about?", output=TEXT[:400], fields={"i": i})
        for i in range(n)
    ]


def _page(log: Log, fetch: FetchPage, n: int, t: float) -> None:
    if n % 10 == 9:
        log.fetch_failed(fetch, "http_404", t + 1, "404 text/html")
        return
    meta = {"title": f"Page {n}", "language": "en", "content_hash": f"h{n}"}
    page = log.fetched(fetch, t + 1, **meta)
    texts = [TEXT] * (len(EXAMPLES_PER_CHUNK) + 1)
    dropped = {len(EXAMPLES_PER_CHUNK): Decision("duplicate")} if n % 7 == 3 else {}
    if not dropped:
        texts.pop()
    chunks = log.refine(page, texts, t + 2, dropped, 420, 1900, text="x" * 5700)
    for chunk, count in zip(chunks, EXAMPLES_PER_CHUNK, strict=True):
        paid = Usage(600, 90 * count, 0.0002 * count)
        for i, example in enumerate(log.generate(chunk, _examples(count), paid, t + 3)):
            passed = i % 4 != 3
            log.score(example, t + 4, 0.9 - 0.05 * i, passed, {"readability": 0.8},
                      [] if passed else ["low_score"])  # fmt: skip


def _job(log: Log, index: int, pages: int) -> JobSubmitted:
    """One project with one job of `pages` pages, a tenth of them failing at the spider."""
    log.project(f"proj_{index}", f"P{index}", t=index)
    urls = [f"https://site{index}.example/{n}" for n in range(pages)]
    job = log.submit(f"job_{index}", f"proj_{index}", urls, t=index)
    for n, url in enumerate(urls):
        t = index + n * 0.01
        _page(log, log.fetch(job, url, t), n, t)
    log.complete(job.job_id, index + pages)
    return job


def job_log(index: int, pages: int) -> Log:
    log = Log()
    _job(log, index, pages)
    return log


def build(jobs: int, pages: int) -> Log:
    log = Log()
    for index in range(jobs):
        _job(log, index, pages)
    return log


async def publish(redis: Redis, log: Log, chunk: int = 1000) -> None:
    await log.publish(redis, chunk)
