"""Running factory replicas on a real Redis against the simulator, and reading what they did."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
from redis.asyncio import Redis

from services.factory import keys
from services.factory.app import create_app
from services.factory.logic import RetryPolicy
from shared.contract import streams
from shared.contract.config import GenerationConfig, JobConfig
from shared.contract.events import ChunkAnswered, ChunkMade, ItemFailed
from shared.settings import Settings
from tests.factory.samples import TEXTS
from tests.helpers import configure, publish, read_all, running, text, wait_for

JOB = "job_factory"
FAST = RetryPolicy(base_s=0.02, cap_s=0.2)


@dataclass(frozen=True)
class Chunks:
    """Chunks of one job, and the job's config that the gateway would have written."""

    items: list[ChunkMade]
    config: JobConfig

    def __iter__(self) -> Iterator[ChunkMade]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: int) -> ChunkMade:
        return self.items[index]


def chunks(count: int, job: str = JOB, **generation: Any) -> Chunks:
    config = JobConfig(generation=GenerationConfig(**generation))
    items = [
        ChunkMade(
            event_id=f"{job}_chunk_{i}",
            job_id=job,
            document_id=f"page_{i % 3}",
            url=f"https://example.org/{i % 3}",
            index=i,
            text=f"{TEXTS[i % len(TEXTS)]} This is chunk number {i}.",
            token_count=60,
            char_start=0,
            char_end=300,
            language="en",
        )
        for i in range(count)
    ]
    return Chunks(items, config)


class Outcomes:
    def __init__(self, events: list[Any], examples: list[Any], job: str) -> None:
        self.events = [e for e in events if e.job_id == job]
        self.examples = [e for e in examples if e.job_id == job]
        self.generated = [e for e in self.events if isinstance(e, ChunkAnswered)]
        self.failed = [e for e in self.events if isinstance(e, ItemFailed)]

    def per_chunk(self) -> Counter[str]:
        return Counter([e.chunk_id for e in self.generated] + [e.item_id for e in self.failed])

    def cost_usd(self) -> float:
        return sum(e.cost_usd for e in self.generated + self.failed)


async def run_factory(
    settings: Settings, work: Chunks, policy: RetryPolicy = FAST, replicas: int = 1
) -> Outcomes:
    """Feeds `work` (one job) to fresh replicas and returns once every chunk has an outcome."""
    job, ids = work[0].job_id, [c.event_id for c in work]
    redis = Redis.from_url(settings.redis_dsn)

    async def probe() -> Outcomes:
        events = await read_all(redis, streams.EVENTS)
        return Outcomes(events, await read_all(redis, streams.INSPECTOR), job)

    def count(outcomes: Outcomes) -> int:
        return sum(outcomes.per_chunk()[i] for i in ids)

    # A chunk published again (a replay) counts once more.
    expected = count(await probe()) + len(work)
    await configure(redis, job, config=work.config)
    await redis.hincrby(streams.tally_key(job), "outstanding", len(work))
    await publish(redis, streams.FACTORY, *work)

    def settled(outcomes: Outcomes) -> bool:
        return count(outcomes) >= expected

    apps = [create_app(settings, policy) for _ in range(replicas)]
    async with running(*apps):
        outcomes = await wait_for(probe, settled, timeout=30)
    await redis.aclose()
    return outcomes


async def job_totals(settings: Settings, job: str = JOB) -> dict[str, float]:
    """The job's LLM totals as the gateway reads them."""
    redis = Redis.from_url(settings.redis_dsn)
    raw = await redis.hgetall(keys.job(job))
    await redis.aclose()
    return {text(k): float(v) for k, v in raw.items()}


async def held(settings: Settings, job: str = JOB) -> int:
    """Slots and budget reservations the job still holds; none once its chunks are settled."""
    redis = Redis.from_url(settings.redis_dsn)
    count = await redis.zcard(keys.slots(job)) + await redis.zcard(keys.reserved(job))
    await redis.aclose()
    return int(count)


def with_sim(settings: Settings, url: str, **changes: Any) -> Settings:
    # Reclaiming must not steal entries whose retries are still running.
    update = {"llm_api_base": url, "llm_timeout_s": 5, "claim_idle_ms": 15_000, **changes}
    return settings.model_copy(update=update)


def sim_stats(url: str) -> dict[str, Any]:
    return dict(httpx.get(f"{url.removesuffix('/v1')}/stats").json())
