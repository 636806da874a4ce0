"""1,000 chunks in batch mode against online mode, on the simulator (answers at 200 ± 50 ms,
batches complete 5 s after creation): wall time, dollars, and every chunk's one outcome.

One factory replica per mode, fed ChunkMade through Redis. Online runs 32 calls at a time;
batch mode gathers the chunks into provider batches. Cost is read from the ChunkAnswered
events, so it is what the dataset card would report. Last line: `ratio: <batch $ / online $>`
(the batch price is half the online one for gpt-4o-mini)."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import ROOT, configure, start_redis
from bench.factory import PER_CHUNK, Factory, _chunk, texts
from shared.contract import streams, wire
from shared.contract.config import GenerationConfig, JobConfig
from shared.contract.events import ChunkAnswered, ItemFailed, parse_event
from shared.runtime.redis_server import free_port
from tests.helpers import read_raw

CHUNKS, CONCURRENCY, BATCH_DELAY_S = 1000, 32, 5.0


def simulator() -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    command = [sys.executable, "-m", "services.llm_sim", "--port", str(port)]
    command += ["--latency-ms", "200", "--batch-delay-s", str(BATCH_DELAY_S)]
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL)
    time.sleep(0.1)
    return proc, f"http://127.0.0.1:{port}/v1"


async def run(factory: Factory, job: str, mode: str) -> tuple[float, float, int, int]:
    """Wall seconds, dollars, chunks generated and chunks failed of one job."""
    gen = GenerationConfig.model_validate(
        {"examples_per_chunk": PER_CHUNK, "max_concurrent_llm": CONCURRENCY, "mode": mode}
    )
    await configure(factory.redis, job, JobConfig(generation=gen))
    start = time.perf_counter()
    async with factory.redis.pipeline(transaction=False) as pipe:
        for i, text in enumerate(texts(job, CHUNKS)):
            pipe.xadd(streams.FACTORY, {wire.DATA_FIELD: wire.encode(_chunk(job, i, text))})
        await pipe.execute()
    outcomes: dict[str, tuple[str, float]] = {}
    while len(outcomes) < CHUNKS:
        assert all(p.poll() is None for p in factory.procs), "a factory process died"
        for _, fields in await read_raw(factory.redis, streams.EVENTS):
            event = parse_event(wire.decode_fields(fields))
            if event.job_id != job:
                continue
            if isinstance(event, ChunkAnswered):
                outcomes[event.chunk_id] = (event.type, event.cost_usd)
            elif isinstance(event, ItemFailed):
                outcomes[event.item_id] = (event.type, event.cost_usd)
        await asyncio.sleep(0.5)
    elapsed = time.perf_counter() - start
    generated = sum(1 for kind, _ in outcomes.values() if kind == "ChunkAnswered")
    return elapsed, sum(c for _, c in outcomes.values()), generated, CHUNKS - generated


async def main() -> None:
    redis = start_redis()
    sim, url = simulator()
    extra = {"DATAFACTORY_LLM_BATCH_WINDOW_S": "1", "DATAFACTORY_LLM_BATCH_POLL_S": "0.5"}
    try:
        results = {}
        for mode in ("online", "batch"):
            # Batch-mode handlers wait for their batch: let every chunk wait at once.
            env = {"DATAFACTORY_LLM_CONCURRENCY": str(CHUNKS), **extra}
            factory = Factory(redis.url, url, CONCURRENCY, 1, extra_env=env)
            try:
                results[mode] = await run(factory, f"{mode}job", mode)
            finally:
                await factory.stop()
    finally:
        sim.terminate()
        redis.stop()
    for mode, (wall, dollars, generated, failed) in results.items():
        lost = CHUNKS - generated - failed
        print(f"{mode:6}: {CHUNKS} chunks in {wall:6.1f} s, ${dollars:.4f}, ", end="")
        print(f"{generated} generated, {failed} failed, {lost} lost")
    print(f"ratio: {results['batch'][1] / results['online'][1]:.2f}")


if __name__ == "__main__":
    asyncio.run(main())
