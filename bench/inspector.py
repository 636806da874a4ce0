"""Inspector throughput through Redis against the same checks called directly, same batches.

Examples are built from the corpus pages as the LLM simulator builds them (a question about a
sentence, the sentence as the answer, five sentences as the source chunk), a tenth of them
repeated so the duplicate check has work. One inspector process reads them from
`df:inspector` in its batches of 100 and commits the verdicts; the baseline calls
`Inspector.score` in this process on batches of 100 of the same examples, half before the
process runs and half after (each pass its own job, so duplicates are judged alike). Both
run the default checks, each after a warm-up job as large as the measured one. Per-core
figures divide by the CPU time of the process that runs the checks, so a busy machine
lowers them less than the wall-clock rates. Last line: `ratio: <through Redis / direct>`.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from redis.asyncio import Redis

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import CORPUS, configure, cpu_s, stage_process, start_redis, wait_settled
from services.inspector.app import build_inspector
from services.inspector.handler import Inspector
from shared.contract import streams, wire
from shared.contract.config import JobConfig
from shared.contract.events import ExampleGenerated
from shared.runtime.runtime import ensure_group
from shared.runtime.stage import Work
from shared.settings import Settings

BATCH = 100
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]{3,}")
POOL: list[str] = []  # corpus sentences, read once


def sentences() -> list[str]:
    import trafilatura

    found = []
    for page in sorted(CORPUS.glob("*.html")):
        text = trafilatura.extract(page.read_text(errors="replace"), fast=True) or ""
        found += [s.strip() for s in _SENTENCE.split(text) if 40 <= len(s.strip()) <= 300]
    return found


def examples(job_id: str, n: int) -> list[ExampleGenerated]:
    if not POOL:
        POOL.extend(sentences())
    pool = POOL
    found = []
    for i in range(n):
        k = i % len(pool) if i % 10 else (i // 10) % len(pool)  # every tenth repeats
        answer = pool[k]
        topic = max(_WORD.findall(answer) or ["it"], key=len)
        found.append(
            ExampleGenerated(
                event_id=f"{job_id}-ex{i}", job_id=job_id, chunk_id=f"c{k // 5}",
                document_id="d", url="http://127.0.0.1/p", template="qa",
                input=f"What does the text say about {topic}?", output=answer,
                fields={"question": f"What does the text say about {topic}?", "answer": answer},
                model="sim", prompt_tokens=100, completion_tokens=30, cost_usd=0.0,
                language="en", source=" ".join(pool[k - k % 5 : k - k % 5 + 5]),
            )
        )  # fmt: skip
    return found


@dataclass(frozen=True)
class Rate:
    wall: float  # examples/s
    cpu: float  # examples per CPU second of the process that runs the checks


async def direct(inspector: Inspector, batch: list[ExampleGenerated]) -> Rate:
    works = [Work(f"0-{i}", ex, JobConfig()) for i, ex in enumerate(batch)]
    start, cpu = time.perf_counter(), time.process_time()
    for i in range(0, len(works), BATCH):
        await inspector.score(works[i : i + BATCH])
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    return Rate(len(works) / wall, len(works) / cpu)


async def through_redis(settings: Settings, redis: Redis, batch: list[ExampleGenerated]) -> Rate:
    """One inspector process, warmed on a job of its own as the direct baseline is."""
    await ensure_group(redis, streams.INSPECTOR, "inspector")
    env = {"DATAFACTORY_REDIS_URL": settings.redis_dsn}
    proc = stage_process("inspector", env | {"DATAFACTORY_DATA_DIR": str(settings.data_dir)})
    try:
        warm = examples("warm-redis", len(batch))
        await _publish(redis, warm, 1)
        await wait_settled(redis, streams.INSPECTOR, "inspector", len(warm), [proc])
        start, cpu = time.perf_counter(), cpu_s(proc)
        await _publish(redis, batch, len(warm) + 1)
        total = len(warm) + len(batch)
        end = await wait_settled(redis, streams.INSPECTOR, "inspector", total, [proc])
        cpu = cpu_s(proc) - cpu
    finally:
        proc.terminate()
        proc.wait()
    return Rate(len(batch) / (end - start), len(batch) / cpu)


async def _publish(redis: Redis, batch: list[ExampleGenerated], first: int) -> None:
    """Entry ids 1-<first>, 1-<first + 1>, ...: `wait_settled` counts by them."""
    async with redis.pipeline(transaction=False) as pipe:
        for i, ex in enumerate(batch):
            pipe.xadd(streams.INSPECTOR, {wire.DATA_FIELD: wire.encode(ex)}, id=f"1-{first + i}")
        await pipe.execute()


async def main(n: int) -> None:
    server = start_redis()
    data_dir = Path(tempfile.mkdtemp(prefix="bench-inspector-"))
    settings = Settings(redis_url=server.url, data_dir=data_dir)
    redis = Redis.from_url(server.url)
    try:
        for job in ("warm-direct", "direct1", "direct2", "redis", "warm-redis"):
            await configure(redis, job, JobConfig())
        inspector = build_inspector(settings, Redis.from_url(server.url))
        await direct(inspector, examples("warm-direct", n))  # models loaded, caches warm
        before = await direct(inspector, examples("direct1", n // 2))
        via = await through_redis(settings, redis, examples("redis", n))
        after = await direct(inspector, examples("direct2", n // 2))
    finally:
        await redis.aclose()
        server.stop()
    wall = (before.wall + after.wall) / 2
    cpu = (before.cpu + after.cpu) / 2
    print(f"examples: {n} per run, from {len(POOL)} corpus sentences; default checks")
    print(f"direct, this process: {before.wall:.0f} / {after.wall:.0f} examples/s")
    print(f"direct per core: {cpu:.0f} examples per CPU second")
    print(f"through Redis, one inspector process: {via.wall:.0f} examples/s")
    print(f"through Redis per core: {via.cpu:.0f} examples per CPU second of the process")
    print(f"ratio: {via.wall / wall:.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--examples", type=int, default=6000)
    asyncio.run(main(parser.parse_args().examples))
