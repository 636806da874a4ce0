"""The cross-replica semaphore on a real redis-server."""

from __future__ import annotations

import asyncio

import pytest
from redis.asyncio import Redis

from shared.runtime.semaphore import RedisSemaphore, SlotWaitExpired


async def test_no_more_holders_than_the_limit_at_once(redis_url: str) -> None:
    semaphores = [RedisSemaphore(Redis.from_url(redis_url)) for _ in range(3)]
    inside, peak = 0, 0

    async def work(sem: RedisSemaphore) -> None:
        nonlocal inside, peak
        async with sem.slot("k", 3, ttl_s=30):
            inside += 1
            peak = max(peak, inside)
            await asyncio.sleep(0.02)
            inside -= 1

    await asyncio.gather(*(work(semaphores[i % 3]) for i in range(30)))
    assert peak == 3
    assert await semaphores[0].holders("k") == 0


async def test_a_dead_holders_slot_expires(redis_url: str) -> None:
    sem = RedisSemaphore(Redis.from_url(redis_url))
    assert await sem.try_acquire("k", 1, ttl_s=0.3, holder="crashed")
    assert not await sem.try_acquire("k", 1, ttl_s=0.3, holder="other")
    async with asyncio.timeout(5):
        async with sem.slot("k", 1, ttl_s=10):
            assert await sem.holders("k") == 1


async def test_a_wait_for_a_slot_ends_at_its_deadline(redis_url: str) -> None:
    sem = RedisSemaphore(Redis.from_url(redis_url))
    assert await sem.try_acquire("k", 1, ttl_s=60, holder="busy")
    with pytest.raises(SlotWaitExpired):
        async with asyncio.timeout(10):
            async with sem.slot("k", 1, ttl_s=10, wait_s=0.2):
                raise AssertionError("the slot was taken")
    assert await sem.holders("k") == 1, "the waiter left nothing behind"
