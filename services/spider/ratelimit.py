"""Per-domain request rate shared by all spider replicas (a moving window in Redis)."""

from __future__ import annotations

import asyncio
import math
import time

from limits import RateLimitItemPerSecond
from limits.aio.storage import RedisStorage
from limits.aio.strategies import MovingWindowRateLimiter


def window(requests_per_second: float, crawl_delay: float | None) -> RateLimitItemPerSecond:
    """N requests per S seconds for the stricter of the configured rate and Crawl-Delay."""
    if crawl_delay and crawl_delay > 0:
        requests_per_second = min(requests_per_second, 1 / crawl_delay)
    if requests_per_second >= 1:
        return RateLimitItemPerSecond(math.floor(requests_per_second), 1)
    return RateLimitItemPerSecond(1, math.ceil(1 / requests_per_second))


JITTER_MARGIN_S = 0.1


class DomainLimiter:
    def __init__(self, redis_url: str) -> None:
        storage = RedisStorage(f"async+{redis_url}", implementation="redispy", key_prefix="df:rate")
        self._limiter = MovingWindowRateLimiter(storage)

    async def acquire(self, domain: str, item: RateLimitItemPerSecond) -> None:
        """Waits until a request to `domain` fits in the window, then takes the slot.

        A throttled request waits a little past the window's reset: requests leave here
        on time but reach the host with some jitter, and the host should never see more
        than its rate."""
        while not await self._limiter.hit(item, domain):
            stats = await self._limiter.get_window_stats(item, domain)
            wait = max(stats.reset_time - time.time(), 0.0) + JITTER_MARGIN_S
            await asyncio.sleep(min(wait, 1.0 + JITTER_MARGIN_S))
