"""Refiner throughput against a bare trafilatura loop over the same pages; scaling; MinHash; RSS.

Corpus pages, decoded as the spider stores them, are written to a temp dir and fed to real
refiner processes as PageFetched events through Redis (no spider). A bare `trafilatura.extract`
loop with the stage's options runs over the same pages in the same run, half before the
replicas and half after. Replica rates are measured over the steady part of each run (after a
tenth of the pages), so process start-up and worker boot do not count. Each pass over the
corpus is its own job, so dedup sees real pages, not copies.
Last line: `ratio: <one replica / bare loop>`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from redis.asyncio import Redis

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (
    CORPUS,
    chunk_texts,
    configure,
    manifest,
    snippet_rates,
    stage_process,
    start_redis,
    stored_corpus,
    tree_cpu_s,
    tree_rss_mb,
    wait_settled,
)
from services.refiner import extract, fingerprint, logic
from services.refiner.dedup import Candidate, DedupIndex, scope
from shared.contract import streams, wire
from shared.contract.config import JobConfig
from shared.contract.events import PageFetched
from tests import factories
from tests.factories import raw_key


@dataclass(frozen=True)
class Run:
    """Pages/s of the replicas; of the first replica: (main, worker) RSS after `rss_at` pages
    and after all, CPU ms per page of its main process and of its workers; the kept chunk
    texts of the first pass over the corpus, per file."""

    rate: float
    rss: tuple[tuple[float, float], tuple[float, float]]
    cpu_ms: tuple[float, float]
    texts: dict[str, str]


def bare_loop(paths: list[Path]) -> float:
    """Seconds for trafilatura alone on these pages, with the stage's options."""
    start = time.perf_counter()
    for path in paths:
        extract.run_trafilatura(path.read_text("utf-8"))
    return time.perf_counter() - start


def page(path: Path, i: int, per_job: int) -> PageFetched:
    job = f"bench-{i // per_job}"
    return factories.page(f"{i}/{path.name}", raw_key(path), job, content_hash=str(i))


async def replicas_run(paths: list[Path], redis_url: str, replicas: int, rss_at: int) -> Run:
    redis = Redis.from_url(redis_url)
    await redis.flushall()
    # The stored pages' data directory: the refiner reads pages from nowhere else.
    data_dir = paths[0].parents[2]
    env = {"DATAFACTORY_REDIS_URL": redis_url, "DATAFACTORY_DATA_DIR": str(data_dir)}
    procs = [stage_process("refiner", env) for _ in range(replicas)]

    async def until(n: int) -> float:
        return await wait_settled(redis, streams.REFINER, "refiner", n, procs)

    try:
        per_job = len(set(paths))
        for job in range(-(-len(paths) // per_job)):
            await configure(redis, f"bench-{job}", JobConfig())
        async with redis.pipeline(transaction=False) as pipe:
            for i, path in enumerate(paths):
                event = page(path, i, per_job)
                pipe.xadd(streams.REFINER, {wire.DATA_FIELD: wire.encode(event)}, id=f"1-{i + 1}")
            await pipe.execute()
        steady = len(paths) // 10
        start, cpu_start = await until(steady), tree_cpu_s(procs[0])
        await until(rss_at)
        early = tree_rss_mb(procs[0])
        end, cpu_end = await until(len(paths)), tree_cpu_s(procs[0])
        rate = (len(paths) - steady) / (end - start)
        cpu = [
            (b - a) * 1000 * replicas / (len(paths) - steady)
            for a, b in zip(cpu_start, cpu_end, strict=True)
        ]
        texts = await chunk_texts(redis, "bench-0")
        return Run(rate, (early, tree_rss_mb(procs[0])), (cpu[0], cpu[1]), texts)
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait()
        await redis.aclose()


def direct_texts() -> dict[str, str]:
    """trafilatura with the stage's options (and fallback) on each file's raw bytes."""
    return {p.name: extract.extract(p.read_bytes()).text for p in sorted(CORPUS.glob("*.html"))}


async def minhash_cost(paths: list[Path], redis_url: str) -> tuple[float, float, int]:
    """Microseconds per chunk: fingerprinting (in refine) and the atomic claim in Redis."""
    redis = Redis.from_url(redis_url)
    await redis.flushall()
    index, config = DedupIndex(redis), JobConfig().processing
    docs = [logic.refine(p.read_text("utf-8"), None, config) for p in paths]
    chunks = [c for d in docs for c in d.chunks if c.verdict is None]
    start = time.perf_counter()
    for chunk in chunks:
        fingerprint.signature(fingerprint.words(chunk.text), config.dedup_ngram)
    sketch = (time.perf_counter() - start) / len(chunks) * 1e6
    start = time.perf_counter()
    for i, doc in enumerate(docs):
        event = page(paths[i], i, len(paths))
        cands = [Candidate(f"{i}-{c.index}", c.key, c.signature, c.bands) for c in doc.chunks]
        await index.claim(scope(event, config), config.dedup_threshold, [c for c in cands if c.key])
    claim = (time.perf_counter() - start) / len(chunks) * 1e6
    await redis.aclose()
    return sketch, claim, len(chunks)


def report(pages: int, bare: float, one: Run, two: Run, minhash: tuple[float, float, int]) -> None:
    (recall, false), (alone_recall, alone_false) = (
        snippet_rates(one.texts, manifest()),
        snippet_rates(direct_texts(), manifest()),
    )
    (main_early, worker_early), (main_late, worker_late) = one.rss
    print(f"pages: {pages} (corpus of 98 cycled, one job per pass); load {os.getloadavg()[0]:.1f}")
    print(f"quality, refiner chunks:    recall {recall:.3f}, false positives {false:.3f}")
    print(
        f"quality, trafilatura alone: recall {alone_recall:.3f}, false positives {alone_false:.3f}"
    )
    print(f"MinHash: {minhash[0]:.0f} us per chunk to sketch, {minhash[1]:.0f} us to claim")
    print(f"bare trafilatura loop: {bare:.1f} pages/s")
    print(f"1 refiner replica:     {one.rate:.1f} pages/s")
    print(f"2 refiner replicas:    {two.rate:.1f} pages/s ({two.rate / one.rate:.2f}x one)")
    print(f"CPU per page, 1 replica: main {one.cpu_ms[0]:.1f} ms, worker {one.cpu_ms[1]:.1f} ms")
    print(f"CPU per page, 2 replicas: main {two.cpu_ms[0]:.1f} ms, worker {two.cpu_ms[1]:.1f} ms")
    print(
        f"replica RSS main/worker: {main_early:.0f}/{worker_early:.0f} MB after 100 pages, "
        f"{main_late:.0f}/{worker_late:.0f} MB after {pages}"
    )
    print(f"ratio: {one.rate / bare:.2f}")


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=1000)
    args = parser.parse_args()
    paths = stored_corpus(args.pages)
    redis = start_redis()
    try:
        logic.warm()
        minhash = await minhash_cost(paths[:98], redis.url)
        # Half the loop before the replicas and half after: a change in the machine's load
        # during the run then weighs on both sides of the ratio.
        half = len(paths) // 2
        before = bare_loop(paths[:half])
        one = await replicas_run(paths, redis.url, 1, 100)
        two = await replicas_run(paths, redis.url, 2, 100)
        bare = len(paths) / (before + bare_loop(paths[half:]))
    finally:
        redis.stop()
    report(args.pages, bare, one, two, minhash)


if __name__ == "__main__":
    asyncio.run(main())
