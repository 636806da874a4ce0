"""Cross-replica limits on a real Redis: job slots, provider rates and the budget's reservations,
as the ledger takes them before a call and frees them after it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from services.factory import keys
from services.factory.cache import CachedAnswer
from services.factory.ledger import Ledger, Ticket
from services.factory.limits import ProviderLimits
from services.factory.values import Call, LLMFailure, Usage
from shared.contract.config import GenerationConfig


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url)
    yield client
    await client.aclose()


def call(owner: str = "chunk", limit: int = 3, cap: float | None = 1.0) -> Call:
    gen = GenerationConfig(max_concurrent_llm=limit, max_cost_usd=cap)
    return Call("job", owner, "gpt-4o-mini", gen, [{"role": "user", "content": "q"}], 10)


async def begin(ledger: Ledger, usd: tuple[float, float], owner: str = "chunk") -> Ticket:
    ticket = await ledger.begin(call(owner), "df:test:cache", usd)
    assert isinstance(ticket, Ticket)
    return ticket


async def settle(ledger: Ledger, ticket: Ticket, spent: float) -> None:
    await ledger.finish(call(), "df:test:cache", ticket, None, spent_usd=spent)


async def test_two_ledgers_share_a_jobs_slots(redis: Redis) -> None:
    replicas = [Ledger(redis, hold_s=10, default_cap=None) for _ in range(2)]
    running = peak = 0

    async def one(ledger: Ledger, i: int) -> None:
        nonlocal running, peak
        ticket = await ledger.begin(call(f"c{i}", cap=None), f"df:test:cache:{i}", (0, 0))
        assert isinstance(ticket, Ticket)
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0.05)
        running -= 1
        await ledger.finish(call(f"c{i}"), f"df:test:cache:{i}", ticket, None)

    await asyncio.gather(*(one(replicas[i % 2], i) for i in range(12)))
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
    ledger = Ledger(redis, hold_s=10, default_cap=None)
    first = await begin(ledger, (0.2, 0.2), "a")
    second = await begin(ledger, (0.2, 0.2), "b")
    waiting = asyncio.create_task(begin(ledger, (0.2, 0.2), "c"))
    await asyncio.sleep(0.2)
    assert not waiting.done(), "in-flight calls may still leave room"
    await settle(ledger, first, 0.1)
    third = await asyncio.wait_for(waiting, 2)
    await settle(ledger, second, 0.3)
    await settle(ledger, third, 0.4)
    with pytest.raises(LLMFailure) as caught:
        await begin(ledger, (0.2, 0.2))
    assert (caught.value.reason, caught.value.outcome) == ("budget_exhausted", "skipped")
    with pytest.raises(LLMFailure):
        await begin(ledger, (0.0, 0.0))  # exhaustion is latched


async def test_a_dead_replicas_reservation_lapses(redis: Redis) -> None:
    ledger = Ledger(redis, hold_s=0.3, default_cap=None)
    await begin(ledger, (0.5, 0.3), "dead")  # never settled
    started = time.monotonic()
    await begin(ledger, (0.5, 0.3), "alive")
    assert time.monotonic() - started >= 0.2


async def test_reservations_learn_the_jobs_answer_size(redis: Redis) -> None:
    ledger = Ledger(redis, hold_s=10, default_cap=None)
    await redis.hset(keys.job("job"), mapping={"completion_tokens": 50, "expected_tokens": 100})
    held = await begin(ledger, (0.1, 0.4))
    assert float(held.reservation.split(":")[1]) == pytest.approx(0.3)


async def test_a_batch_line_takes_no_slot_and_reserves_once_however_often_delivered(
    redis: Redis,
) -> None:
    ledger = Ledger(redis, hold_s=10, default_cap=None)
    line = call("chunk-1", limit=1)
    # Its entry redelivered after replicas died: each delivery is given a ticket.
    tickets = [
        await ledger.begin_batch_line(line, "df:test:cache", (0.1, 0.1), 3600, 0.01)
        for _ in range(3)
    ]
    assert all(isinstance(t, Ticket) for t in tickets)
    ticket = tickets[-1]
    assert isinstance(ticket, Ticket)
    assert await redis.zcard(keys.slots("job")) == 0, "the provider runs it, not a slot"
    assert await redis.zrange(keys.reserved("job"), 0, -1) == [ticket.reservation.encode()]
    answer = CachedAnswer.of("{}", Usage(10, 10, 0.05), line.owner)
    await ledger.finish(line, "df:test:cache", ticket, answer, spent_usd=0.05)
    assert await redis.zcard(keys.reserved("job")) == 0
    again = await ledger.begin_batch_line(line, "df:test:cache", (0.1, 0.1), 3600, 0.01)
    assert again == answer, "a cached answer skips the batch"
