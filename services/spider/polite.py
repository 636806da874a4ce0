"""Fetching as a good citizen: SSRF guard, robots.txt, shared per-domain rate, retries."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Sequence
from urllib.parse import urlsplit

import httpx
from redis.asyncio import Redis

from services.spider import guard
from services.spider.fetch import Fetched, FetchFailed, fetch
from services.spider.ratelimit import DomainLimiter, window
from services.spider.robots import RobotsCache
from shared.config import ScrapingConfig

ATTEMPTS = 3
_BACKOFF_S, _MAX_WAIT_S = 0.5, 30.0


def backoff(attempt: int, retry_after: float | None) -> float:
    """Retry-After when the server gave one, else exponential backoff with full jitter."""
    if retry_after is not None:
        return min(retry_after, _MAX_WAIT_S)
    return random.uniform(0, _BACKOFF_S * 2**attempt)


class Polite:
    def __init__(
        self, redis: Redis, redis_url: str, user_agent: str, allowed: Sequence[guard.Network]
    ) -> None:
        self.user_agent, self.allowed = user_agent, allowed
        self.client = httpx.AsyncClient(
            http2=True,
            follow_redirects=False,
            headers={"User-Agent": user_agent},
            timeout=httpx.Timeout(15.0, connect=10.0),
        )
        self.robots = RobotsCache(redis, self.client)
        self.limiter = DomainLimiter(redis_url)

    async def gate(self, url: str, config: ScrapingConfig) -> None:
        """Raises FetchFailed unless `url` may be requested now; waits for the rate limit."""
        try:
            await guard.check(url, self.allowed)
        except guard.Refused as exc:
            raise FetchFailed(exc.reason, exc.detail) from None
        delay = None
        if config.respect_robots_txt:
            rules = await self.robots.rules(url)
            if not rules.can_fetch(url, self.user_agent):
                raise FetchFailed("robots_disallowed", f"robots.txt disallows {url}")
            delay = rules.crawl_delay(self.user_agent)
        host = urlsplit(url).hostname or ""
        await self.limiter.acquire(host, window(config.requests_per_second, delay))

    async def fetch(self, url: str, config: ScrapingConfig) -> Fetched:
        """Fetches with up to three attempts on timeouts, connection errors, 429 and 5xx."""

        async def gate(hop: str) -> None:
            await self.gate(hop, config)

        for attempt in range(ATTEMPTS):
            try:
                return await fetch(self.client, url, gate, config.max_bytes, config.timeout_s)
            except FetchFailed as exc:
                if not exc.retryable or attempt == ATTEMPTS - 1:
                    raise
                await asyncio.sleep(backoff(attempt, exc.retry_after))
        raise AssertionError("unreachable")

    async def aclose(self) -> None:
        await self.client.aclose()
