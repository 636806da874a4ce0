"""Refiner throughput against a bare trafilatura loop over the same pages; scaling; MinHash; RSS.

Corpus pages, decoded as the spider stores them, are written to a temp dir and fed to real
refiner processes as PageFetched events through Redis (no spider). A bare `trafilatura.extract`
loop with the stage's options runs over the same pages in the same run. Rates are measured
over the steady part of each run (after a tenth of the pages), so process start-up and worker
boot do not count. Each pass over the corpus is its own job, so dedup sees real pages, not
copies. Last line: `ratio: <one replica / bare loop>`.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

from redis.asyncio import Redis

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (
    CORPUS,
    manifest,
    snippet_rates,
    stage_process,
    start_redis,
    tree_rss_mb,
    wait_settled,
)
from services.refiner import extract, fingerprint, logic
from services.refiner.app import scope
from services.refiner.dedup import Candidate, DedupIndex
from services.spider.decode import to_text
from shared import streams, wire
from shared.config import JobConfig
from shared.events import ChunkMade, PageFetched, parse_event
from shared.ids import derive


def prepare(n: int) -> list[Path]:
    """The corpus as the spider stores it (UTF-8), cycled to `n` pages."""
    folder = Path(tempfile.mkdtemp(prefix="bench-refiner-"))
    stored = []
    for page in sorted(CORPUS.glob("*.html")):
        target = folder / page.name
        target.write_text(to_text(page.read_bytes(), "text/html")[0], "utf-8")
        stored.append(target)
    return [stored[i % len(stored)] for i in range(n)]


def bare_loop(paths: list[Path]) -> float:
    start, steady = time.perf_counter(), len(paths) // 10
    for i, path in enumerate(paths):
        if i == steady:
            start = time.perf_counter()
        extract.run_trafilatura(path.read_text("utf-8"))
    return (len(paths) - steady) / (time.perf_counter() - start)


def page(path: Path, i: int, per_job: int) -> PageFetched:
    job = f"bench-{i // per_job}"
    return PageFetched(
        event_id=derive(job, "page", i),
        job_id=job,
        url=f"http://bench.test/{i}/{path.name}",
        final_url=f"http://bench.test/{i}/{path.name}",
        status_code=200,
        content_type="text/html",
        html_path=str(path),
        content_hash=str(i),
        config=JobConfig(),
    )


async def replicas_run(
    paths: list[Path], redis_url: str, replicas: int, rss_at: int
) -> tuple[float, list[tuple[float, float]], dict[str, str]]:
    """Pages/s of `replicas` refiner processes; (main, worker) RSS of the first replica after
    `rss_at` pages and after all; the kept chunk texts of the first pass per corpus file."""
    redis = Redis.from_url(redis_url)
    await redis.flushall()
    env = {"DATAFACTORY_REDIS_URL": redis_url, "DATAFACTORY_DATA_DIR": tempfile.mkdtemp()}
    procs = [stage_process("refiner", env) for _ in range(replicas)]

    async def until(n: int) -> float:
        return await wait_settled(redis, streams.REFINER, "refiner", n, procs)

    try:
        async with redis.pipeline(transaction=False) as pipe:
            for i, path in enumerate(paths):
                event = page(path, i, len(set(paths)))
                pipe.xadd(streams.REFINER, {wire.DATA_FIELD: wire.encode(event)}, id=f"1-{i + 1}")
            await pipe.execute()
        start = await until(len(paths) // 10)
        await until(rss_at)
        early = tree_rss_mb(procs[0])
        end = await until(len(paths))
        rate = (len(paths) - len(paths) // 10) / (end - start)
        return rate, [early, tree_rss_mb(procs[0])], await first_pass_texts(redis)
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait()
        await redis.aclose()


async def first_pass_texts(redis: Redis) -> dict[str, str]:
    texts: dict[str, list[str]] = {}
    for _, fields in await redis.xrange(streams.FACTORY):
        chunk = parse_event(wire.decode_fields(fields))
        if isinstance(chunk, ChunkMade) and chunk.job_id == "bench-0":
            texts.setdefault(chunk.url.rsplit("/", 1)[1], []).append(chunk.text)
    return {file: "\n".join(parts) for file, parts in texts.items()}


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
        await index.claim(scope(event), config.dedup_threshold, [c for c in cands if c.key])
    claim = (time.perf_counter() - start) / len(chunks) * 1e6
    await redis.aclose()
    return sketch, claim, len(chunks)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=1000)
    args = parser.parse_args()
    paths = prepare(args.pages)
    redis = start_redis()
    try:
        logic.warm()
        sketch, claim, chunks = await minhash_cost(paths[:98], redis.url)
        bare = bare_loop(paths)
        one, rss, texts = await replicas_run(paths, redis.url, 1, 100)
        two, _, _ = await replicas_run(paths, redis.url, 2, 100)
    finally:
        redis.stop()
    pages = manifest()
    (recall, false), (alone_recall, alone_false) = (
        snippet_rates(texts, pages),
        snippet_rates(direct_texts(), pages),
    )
    (main_early, worker_early), (main_late, worker_late) = rss
    print(f"pages: {args.pages} (corpus of 98 cycled, one job per pass)")
    print(f"quality, refiner chunks:   recall {recall:.3f}, false positives {false:.3f}")
    print(
        f"quality, trafilatura alone: recall {alone_recall:.3f}, false positives {alone_false:.3f}"
    )
    print(
        f"MinHash: {sketch:.0f} us per chunk to sketch, {claim:.0f} us to claim ({chunks} chunks)"
    )
    print(f"bare trafilatura loop: {bare:.1f} pages/s")
    print(f"1 refiner replica:     {one:.1f} pages/s")
    print(f"2 refiner replicas:    {two:.1f} pages/s ({two / one:.2f}x one)")
    print(
        f"replica RSS main/worker: {main_early:.0f}/{worker_early:.0f} MB after 100 pages, "
        f"{main_late:.0f}/{worker_late:.0f} MB after {args.pages}"
    )
    print(f"ratio: {one / bare:.2f}")


if __name__ == "__main__":
    asyncio.run(main())
