"""Fetching as a good citizen: SSRF guard, robots.txt, shared per-domain rate, retries."""

from __future__ import annotations

import asyncio
import logging
import random
from urllib.parse import urlsplit

from redis.asyncio import Redis

from services.spider.fetch import Fetched, FetchFailed, fetch
from services.spider.guard import Guard, Refused
from services.spider.pinning import pinned_client
from services.spider.ratelimit import DomainLimiter, window
from services.spider.robots import RobotsCache
from shared.contract.config import ScrapingConfig

log = logging.getLogger(__name__)
ATTEMPTS = 3
_BACKOFF_S, _MAX_WAIT_S = 0.5, 30.0
# A site's Crawl-delay is honoured up to this; beyond it (86400 has been seen) one page of a
# job would hold a fetch slot for hours. The delay used is recorded on PageFetched.
MAX_CRAWL_DELAY_S = 10.0


def backoff(attempt: int, retry_after: float | None) -> float:
    """Retry-After when the server gave one, else exponential backoff with full jitter."""
    if retry_after is not None:
        return min(retry_after, _MAX_WAIT_S)
    return random.uniform(0, _BACKOFF_S * 2**attempt)


class Polite:
    def __init__(self, redis: Redis, redis_url: str, user_agent: str, guard: Guard) -> None:
        self.user_agent, self.guard = user_agent, guard
        self.client = pinned_client(guard, user_agent)
        self.robots = RobotsCache(redis, self.client, guard)
        self.limiter = DomainLimiter(redis_url)

    async def gate(self, url: str, config: ScrapingConfig) -> None:
        """Raises FetchFailed unless `url` may be requested now; waits for the rate limit."""
        try:
            await self.guard.check(url)
        except Refused as exc:
            raise FetchFailed(exc.reason, exc.detail) from None
        delay = None
        if config.respect_robots_txt:
            rules = await self.robots.rules(url, config.timeout_s)
            if not rules.can_fetch(url, self.user_agent):
                raise FetchFailed("robots_disallowed", f"robots.txt disallows {url}")
            delay = self._capped(url, rules.crawl_delay(self.user_agent))
        host = urlsplit(url).hostname or ""
        await self.limiter.acquire(host, window(config.requests_per_second, delay))

    async def crawl_delay(self, url: str, config: ScrapingConfig) -> float | None:
        """The Crawl-delay honoured for `url`'s origin (after the cap), if any."""
        if not config.respect_robots_txt:
            return None
        rules = await self.robots.rules(url, config.timeout_s)
        return self._capped(url, rules.crawl_delay(self.user_agent))

    def _capped(self, url: str, delay: float | None) -> float | None:
        if delay is not None and delay > MAX_CRAWL_DELAY_S:
            log.info("Crawl-delay %ss of %s capped at %ss", delay, url, MAX_CRAWL_DELAY_S)
            return MAX_CRAWL_DELAY_S
        return delay

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
