"""Factory throughput against the ideal and a bare async client, on the simulator at 200 ± 50 ms.

At each concurrency C, one factory replica (a real process fed ChunkMade through Redis; or
`--replicas N` sharing the job) generates from 40 x C chunks. The job's max_concurrent_llm is C,
so the simulator never sees more than C requests; a replica runs 2 x C handlers, so preparing
and committing chunks overlaps other chunks' calls. The factory runs on its fast path (the
openai client) and again with every call through litellm. A bare httpx client sends the same
prompts at the same concurrency in the same run, and so does a bare litellm loop: the ceiling
of any litellm-based client. CPU per call is the replicas' (or the loop's) CPU over chunks.
The ideal is C / 0.2 s calls per second. The simulator runs as its own process on the same
two cores. Last line: `ratio: <factory / bare client at concurrency 32>`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from redis.asyncio import Redis

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import ROOT, configure, cpu_s, stage_process, start_redis
from shared.contract import streams, wire
from shared.contract.config import GenerationConfig, JobConfig
from shared.contract.events import ChunkMade
from shared.contract.templates import ChatMessage, get_template
from shared.runtime.redis_server import free_port

LATENCY_S, JITTER_MS = 0.2, 50
PER_CHUNK = 3  # examples_per_chunk
MODEL = "gpt-4o-mini"
PARAGRAPH = (
    "The honey bee is a social insect that lives in colonies. A colony has one queen, thousands "
    "of workers and a few hundred drones. Workers collect nectar and pollen from flowers. Bees "
    "turn nectar into honey and store it in wax cells. "
)


def texts(run: str, n: int) -> list[str]:
    """Distinct chunks per run, so no run is answered from another's cache."""
    return [f"{PARAGRAPH}This is chunk {i} of run {run}." for i in range(n)]


def prompts(chunk_texts: list[str]) -> list[list[ChatMessage]]:
    return [get_template("qa").render(t, n=PER_CHUNK) for t in chunk_texts]


async def bare_client(url: str, concurrency: int, chunk_texts: list[str]) -> float:
    """Examples per second of plain async HTTP calls, answers parsed like the factory does."""
    limit, qa = asyncio.Semaphore(concurrency), get_template("qa")
    made = 0
    async with httpx.AsyncClient(timeout=60, limits=httpx.Limits(max_connections=256)) as client:

        async def one(messages: list[ChatMessage]) -> None:
            nonlocal made
            body = {"model": MODEL, "messages": messages, "temperature": 0.7}
            body["response_format"] = {"type": "json_object"}
            async with limit:
                answer = (await client.post(f"{url}/chat/completions", json=body)).json()
            made += len(qa.parse(answer["choices"][0]["message"]["content"]))

        start = time.perf_counter()
        await asyncio.gather(*(one(m) for m in prompts(chunk_texts)))
        return made / (time.perf_counter() - start)


async def litellm_loop(url: str, concurrency: int, n: int) -> tuple[float, float]:
    """Examples per second of bare litellm calls, and this process's CPU ms per call."""
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    import litellm

    litellm.suppress_debug_info = True
    limit = asyncio.Semaphore(concurrency)

    async def one(messages: list[ChatMessage]) -> None:
        async with limit:
            await litellm.acompletion(
                model=f"openai/{MODEL}",
                messages=messages,
                api_base=url,
                api_key="sk-bench",
                response_format={"type": "json_object"},
                temperature=0.7,
            )

    await asyncio.gather(*(one(m) for m in prompts(texts("litellm-warm", concurrency))))
    before, start = _own_cpu_s(), time.perf_counter()
    await asyncio.gather(*(one(m) for m in prompts(texts(f"litellm-{concurrency}", n))))
    elapsed = time.perf_counter() - start
    return n * PER_CHUNK / elapsed, (_own_cpu_s() - before) * 1000 / n


def _own_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class Factory:
    """Factory replica processes fed through Redis."""

    def __init__(
        self,
        redis_url: str,
        sim_url: str,
        concurrency: int,
        replicas: int,
        fast: bool = True,
        extra_env: dict[str, str] | None = None,
    ) -> None:
        self.redis, self.concurrency = Redis.from_url(redis_url), concurrency
        env = {
            "DATAFACTORY_LLM_FAST_PATH": str(fast).lower(),
            "DATAFACTORY_REDIS_URL": redis_url,
            "DATAFACTORY_DATA_DIR": tempfile.mkdtemp(prefix="bench-factory-"),
            "DATAFACTORY_LLM_API_BASE": sim_url,
            "DATAFACTORY_LLM_CONCURRENCY": str(2 * concurrency),
            "DATAFACTORY_MAX_RECORDS": str(concurrency),
            **(extra_env or {}),
        }
        self.procs = [stage_process("factory", env) for _ in range(replicas)]

    async def run(self, job: str, chunk_texts: list[str]) -> tuple[float, float]:
        """Examples per second, and the replicas' CPU milliseconds per chunk."""
        gen = GenerationConfig(examples_per_chunk=PER_CHUNK, max_concurrent_llm=self.concurrency)
        config = JobConfig(generation=gen)
        await configure(self.redis, job, config)
        work = [_chunk(job, i, t) for i, t in enumerate(chunk_texts)]
        done, examples = (
            await self.redis.xlen(streams.EVENTS),
            await self.redis.xlen(streams.INSPECTOR),
        )
        start, cpu = time.perf_counter(), self._cpu_s()
        async with self.redis.pipeline(transaction=False) as pipe:
            for chunk in work:
                pipe.xadd(streams.FACTORY, {wire.DATA_FIELD: wire.encode(chunk)})
            await pipe.execute()
        while await self.redis.xlen(streams.EVENTS) < done + len(work):
            assert all(p.poll() is None for p in self.procs), "a factory process died"
            await asyncio.sleep(0.01)
        elapsed, cpu = time.perf_counter() - start, self._cpu_s() - cpu
        made = await self.redis.xlen(streams.INSPECTOR) - examples
        return made / elapsed, cpu * 1000 / len(work)

    def _cpu_s(self) -> float:
        return sum(cpu_s(p) for p in self.procs)

    async def stop(self) -> None:
        for proc in self.procs:
            proc.terminate()
            proc.wait()
        await self.redis.aclose()


def _chunk(job: str, i: int, text: str) -> ChunkMade:
    return ChunkMade(
        event_id=f"{job}_chunk_{i}",
        job_id=job,
        document_id=f"{job}_doc",
        url="https://example.org/bees",
        index=i,
        text=text,
        token_count=70,
        char_start=0,
        char_end=len(text),
        language="en",
    )


def simulator() -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    command = [sys.executable, "-m", "services.llm_sim", "--port", str(port)]
    command += ["--latency-ms", str(LATENCY_S * 1000), "--jitter-ms", str(JITTER_MS)]
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + 20
    while True:
        try:
            httpx.get(f"{url}/models").raise_for_status()
            return proc, url
        except httpx.TransportError:
            assert time.monotonic() < deadline, "the simulator did not start"
            time.sleep(0.1)


async def factory_run(
    redis_url: str, sim_url: str, concurrency: int, n: int, replicas: int, fast: bool
) -> tuple[float, float]:
    """Examples per second and CPU ms per chunk of replicas on one path, warmed up first."""
    path = "fast" if fast else "litellm"
    factory = Factory(redis_url, sim_url, concurrency, replicas, fast)
    try:
        warm = replicas * concurrency  # every replica must be up before the clock starts
        await factory.run(f"warm{path}{concurrency}", texts(f"warm{path}{concurrency}", warm))
        return await factory.run(f"{path}{concurrency}", texts(f"{path}{concurrency}", n))
    finally:
        await factory.stop()


async def measure(
    redis_url: str, sim_url: str, concurrency: int, per_slot: int, replicas: int
) -> float:
    """Prints one concurrency's figures; returns factory / bare client."""
    n = per_slot * concurrency
    ideal = concurrency / LATENCY_S * PER_CHUNK
    bare = await bare_client(sim_url, concurrency, texts(f"bare{concurrency}", n))
    made, cpu_ms = await factory_run(redis_url, sim_url, concurrency, n, replicas, True)
    slow, slow_ms = await factory_run(redis_url, sim_url, concurrency, n, replicas, False)
    alone, litellm_ms = await litellm_loop(sim_url, concurrency, n)
    print(f"concurrency {concurrency}: {n} chunks x {PER_CHUNK} examples, ideal {ideal:.0f}/s")
    rows = (
        ("bare httpx client", bare, None),
        ("bare litellm loop", alone, litellm_ms),
        (f"factory x{replicas}, fast path", made, cpu_ms),
        (f"factory x{replicas}, litellm", slow, slow_ms),
    )
    for name, rate, cpu in rows:
        shown = f"  CPU/call {cpu:5.1f} ms" if cpu is not None else ""
        print(f"  {name:26} {rate:6.1f} examples/s  ({rate / ideal:.2f} x ideal){shown}")
    print(f"  factory / bare client: {made / bare:.2f}; factory / bare litellm: {made / alone:.2f}")
    return made / bare


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--per-slot", type=int, default=40, help="chunks per unit of concurrency")
    parser.add_argument("--replicas", type=int, default=1, help="factory processes sharing the job")
    args = parser.parse_args()
    redis = start_redis()
    sim, url = simulator()
    try:
        await measure(redis.url, url, 8, args.per_slot, args.replicas)
        ratio = await measure(redis.url, url, 32, args.per_slot, args.replicas)
    finally:
        sim.terminate()
        sim.wait()
        redis.stop()
    print(f"ratio: {ratio:.2f}")


if __name__ == "__main__":
    asyncio.run(main())
