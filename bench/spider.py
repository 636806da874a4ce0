"""Spider throughput against a bare httpx loop, over a local web of many hosts; worker RSS.

One spider replica (a real process fed through Redis) fetches N corpus pages spread over many
loopback hosts; a bare async httpx loop fetches the same URLs at the same concurrency in the
same run. Politeness stays on (robots.txt, SSRF guard, shared rate limit) with a rate high
enough that the limit itself does not set the pace. Last line: `ratio: <spider / bare>`.
First line: the CPU per page of the pure page analysis alone (`bench/page_cpu.py`).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from ipaddress import ip_network
from pathlib import Path

import httpx
from redis.asyncio import Redis

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (
    configure,
    corpus_files,
    cpu_s,
    rss_mb,
    serve_corpus,
    stage_process,
    start_redis,
)
from bench.page_cpu import report as page_cpu_report
from services.spider.guard import Guard
from services.spider.polite import Polite
from shared.contract import streams, wire
from shared.contract.config import JobConfig, ScrapingConfig
from shared.contract.events import FetchPage
from shared.contract.ids import derive

CONCURRENCY = 8


def urls(n: int, bases: list[str]) -> list[str]:
    files = corpus_files()
    return [f"{bases[i % len(bases)]}/{files[i % len(files)]}?n={i}" for i in range(n)]


async def bare_loop(targets: list[str]) -> float:
    limit = asyncio.Semaphore(CONCURRENCY)
    async with httpx.AsyncClient() as client:

        async def one(url: str) -> None:
            async with limit:
                (await client.get(url)).raise_for_status()

        start = time.perf_counter()
        await asyncio.gather(*(one(u) for u in targets))
        return len(targets) / (time.perf_counter() - start)


async def polite_loop(targets: list[str], redis_url: str) -> float:
    """The spider's fetch path alone (SSRF guard, robots, shared rate limit, capped read),
    in-process: what politeness costs before any page analysis."""
    redis = Redis.from_url(redis_url)
    polite = Polite(redis, redis_url, "bench", Guard([ip_network("127.0.0.0/8")]))
    config = ScrapingConfig(requests_per_second=100)
    limit = asyncio.Semaphore(CONCURRENCY)

    async def one(url: str) -> None:
        async with limit:
            await polite.fetch(url, config)

    start = time.perf_counter()
    await asyncio.gather(*(one(f"{u}&polite") for u in targets))
    elapsed = time.perf_counter() - start
    await polite.aclose()
    return len(targets) / elapsed


async def spider_run(targets: list[str], redis_url: str, rss_at: int) -> tuple[float, float, float]:
    redis = Redis.from_url(redis_url)
    await redis.flushall()
    config = JobConfig(scraping=ScrapingConfig(requests_per_second=100, use_playwright="never"))
    env = {
        "DATAFACTORY_REDIS_URL": redis_url,
        "DATAFACTORY_DATA_DIR": tempfile.mkdtemp(prefix="bench-spider-"),
        "DATAFACTORY_ALLOWED_NETWORKS": "127.0.0.0/8",
        "DATAFACTORY_STAGE_CONCURRENCY": str(CONCURRENCY),
    }
    proc = stage_process("spider", env)
    try:
        await _warm(redis, config)
        await configure(redis, "bench", config)
        commands = [
            FetchPage(event_id=derive("bench", "fetch", u), job_id="bench", url=u) for u in targets
        ]
        start = time.perf_counter()
        async with redis.pipeline(transaction=False) as pipe:
            for c in commands:
                pipe.xadd(streams.SPIDER, {wire.DATA_FIELD: wire.encode(c)})
            await pipe.execute()
        cpu_before = cpu_s(proc)
        early = await _settled(redis, rss_at + 2, proc)
        await _settled(redis, len(targets) + 2, proc)
        elapsed = time.perf_counter() - start
        cpu_ms = (cpu_s(proc) - cpu_before) * 1000 / len(targets)
        print(f"spider CPU: {cpu_ms:.1f} ms per page")
        return len(targets) / elapsed, early, rss_mb(proc)
    finally:
        proc.terminate()
        proc.wait()


async def _warm(redis: Redis, config: JobConfig) -> None:
    """Waits until the replica runs, by letting it settle two warm-up items."""
    await configure(redis, "warm", config)
    bad = [FetchPage(event_id=f"warm{i}", job_id="warm", url=f"ftp://x/{i}") for i in range(2)]
    for c in bad:
        await redis.xadd(streams.SPIDER, {wire.DATA_FIELD: wire.encode(c)})
    while await redis.xlen(streams.EVENTS) < 2:
        await asyncio.sleep(0.05)


async def _settled(redis: Redis, n: int, proc: object) -> float:
    while await redis.xlen(streams.REFINER) + await redis.xlen(streams.EVENTS) < n:
        await asyncio.sleep(0.02)
    return rss_mb(proc)  # type: ignore[arg-type]


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--hosts", type=int, default=50)
    args = parser.parse_args()
    print(page_cpu_report())
    bases = serve_corpus(args.hosts).bases
    redis = start_redis()
    try:
        targets = urls(args.pages, bases)
        bare = await bare_loop(targets)
        polite = await polite_loop(targets, redis.url)
        spider, rss_early, rss_late = await spider_run(targets, redis.url, 100)
    finally:
        redis.stop()
    print(f"pages: {args.pages} over {args.hosts} hosts, concurrency {CONCURRENCY}")
    print(f"bare httpx loop: {bare:.1f} pages/s")
    print(f"fetch path only: {polite:.1f} pages/s ({polite / bare:.2f}x bare)")
    print(f"spider replica:  {spider:.1f} pages/s (fetch, page analysis, metadata, Redis)")
    print(
        f"spider RSS: {rss_early:.0f} MB after 100 pages, {rss_late:.0f} MB after {args.pages} "
        f"(growth {rss_late / rss_early:.2f}x)"
    )
    print(f"ratio: {spider / bare:.2f}")


if __name__ == "__main__":
    asyncio.run(main())
