"""Cross-replica limits on a real Redis: job slots, provider rates and the budget's reservations."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from services.factory import keys
from services.factory.budget import Budget
from services.factory.limits import ProviderLimits, SharedLimiter
from services.factory.values import LLMFailure


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url)
    yield client
    await client.aclose()


async def test_two_limiters_share_a_jobs_slots(redis: Redis) -> None:
    replicas = [SharedLimiter(redis, process_limit=8, hold_s=10) for _ in range(2)]
    running = peak = 0

    async def call(limiter: SharedLimiter) -> None:
        nonlocal running, peak
        async with limiter.slot("job", 3):
            running += 1
            peak = max(peak, running)
            await asyncio.sleep(0.05)
            running -= 1

    await asyncio.gather(*(call(replicas[i % 2]) for i in range(12)))
    assert peak == 3
    assert await redis.zcard(keys.slots("job")) == 0


async def test_requests_per_minute_hold_across_replicas(redis_url: str) -> None:
    replicas = [ProviderLimits(redis_url, window_s=1) for _ in range(2)]
    started = time.monotonic()
    for i in range(6):
        await replicas[i % 2].acquire("gpt-4o-mini", rpm=3, tpm=None, tokens=lambda: 0)
    assert time.monotonic() - started >= 0.9


async def test_tokens_per_minute_wait_for_room(redis_url: str) -> None:
    limits = ProviderLimits(redis_url, window_s=1)
    started = time.monotonic()
    for _ in range(3):
        await limits.acquire("gpt-4o-mini", rpm=None, tpm=100, tokens=lambda: 45)
    assert time.monotonic() - started >= 0.4


async def test_no_reservation_starts_past_the_cap(redis: Redis) -> None:
    budget = Budget(redis, hold_s=10)
    first = await budget.reserve("job", 1.0, 0.2, 0.2)
    second = await budget.reserve("job", 1.0, 0.2, 0.2)
    waiting = asyncio.create_task(budget.reserve("job", 1.0, 0.2, 0.2))
    await asyncio.sleep(0.2)
    assert not waiting.done(), "in-flight calls may still leave room"
    async with redis.pipeline(transaction=True) as pipe:
        budget.settle(pipe, "job", first)
        pipe.hincrbyfloat(keys.job("job"), "spent_usd", 0.1)
        await pipe.execute()
    assert await asyncio.wait_for(waiting, 2) is not None
    async with redis.pipeline(transaction=True) as pipe:
        budget.settle(pipe, "job", second)
        budget.settle(pipe, "job", waiting.result())
        pipe.hincrbyfloat(keys.job("job"), "spent_usd", 0.7)
        await pipe.execute()
    with pytest.raises(LLMFailure) as caught:
        await budget.reserve("job", 1.0, 0.2, 0.2)
    assert (caught.value.reason, caught.value.outcome) == ("budget_exhausted", "skipped")
    with pytest.raises(LLMFailure):
        await budget.reserve("job", 1.0, 0.0, 0.0)  # exhaustion is latched


async def test_a_dead_replicas_reservation_lapses(redis: Redis) -> None:
    budget = Budget(redis, hold_s=0.3)
    assert await budget.reserve("job", 1.0, 0.5, 0.3) is not None  # never settled
    started = time.monotonic()
    assert await budget.reserve("job", 1.0, 0.5, 0.3) is not None
    assert time.monotonic() - started >= 0.2


async def test_reservations_learn_the_jobs_answer_size(redis: Redis) -> None:
    budget = Budget(redis, hold_s=10)
    await redis.hset(keys.job("job"), mapping={"completion_tokens": 50, "expected_tokens": 100})
    held = await budget.reserve("job", 1.0, 0.1, 0.4)
    assert held is not None and float(held.split(":")[1]) == pytest.approx(0.3)
