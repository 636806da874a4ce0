"""Crawl mode: same-site links and sitemap.xml become new FetchPage items, each URL once a job."""

from __future__ import annotations

import asyncio

from redis.asyncio import Redis

from services.spider import outcomes, urls
from services.spider.fetch import FetchFailed
from services.spider.page import Page
from services.spider.polite import Polite
from services.spider.robots import origin_of
from shared.contract.config import ScrapingConfig
from shared.contract.events import FetchPage
from shared.contract.ids import derive
from shared.runtime.commit import Emit


class Crawler:
    def __init__(self, redis: Redis, polite: Polite) -> None:
        self.redis, self.polite = redis, polite

    async def discover(
        self, cmd: FetchPage, config: ScrapingConfig, page: Page, final_url: str
    ) -> list[Emit]:
        if not config.crawl or cmd.depth >= config.max_depth:
            return []
        seed = cmd.seed or cmd.url
        found = urls.links(page.html, final_url)
        if cmd.depth == 0:
            found += await self.sitemap(cmd, config, seed)
        won = await self.claim(cmd, config.max_pages, list(dict.fromkeys(found)))
        return [outcomes.discovered(cmd, url, seed) for url in won]

    async def claim(self, cmd: FetchPage, max_pages: int, found: list[str]) -> list[str]:
        """URLs this page discovers first within the job, up to the job's `max_pages`.

        Claims are stable under redelivery: a URL this page claimed before is claimed again."""
        if not found:
            return []
        key = f"df:seen:{cmd.job_id}"
        mine = derive(cmd.event_id, "claim")
        if own := urls.normalize(cmd.url):
            await self.redis.hsetnx(key, own, cmd.event_id)
        owners = await self.redis.hmget(key, found)
        kept = [u for u, o in zip(found, owners, strict=True) if o == mine.encode()]
        budget = max_pages - await self.redis.hlen(key)
        fresh = [u for u, o in zip(found, owners, strict=True) if o is None][: max(budget, 0)]
        if fresh:
            async with self.redis.pipeline(transaction=False) as pipe:
                for url in fresh:
                    pipe.hsetnx(key, url, mine)
                won = await pipe.execute()
            kept += [u for u, ok in zip(fresh, won, strict=True) if ok]
        return kept

    async def sitemap(self, cmd: FetchPage, config: ScrapingConfig, seed: str) -> list[str]:
        origin = origin_of(seed)
        claimed = await self.redis.hsetnx(f"df:sitemaps:{cmd.job_id}", origin, cmd.event_id)
        owner = await self.redis.hget(f"df:sitemaps:{cmd.job_id}", origin)
        if not claimed and owner != cmd.event_id.encode():
            return []
        try:
            # One deadline for the whole sitemap, redirects and retries included.
            async with asyncio.timeout(config.timeout_s * 2):
                fetched = await self.polite.fetch(f"{origin}/sitemap.xml", config)
        except (FetchFailed, TimeoutError):
            return []
        return urls.sitemap_urls(fetched.body, seed)
