"""The spider's I/O shell: fetches a FetchPage's page politely, renders it in a browser when
it needs one, stores it and emits its outcome."""

from __future__ import annotations

import asyncio

from services.spider import logic, outcomes
from services.spider.browser import BrowserPool
from services.spider.crawl import Crawler
from services.spider.decode import to_text
from services.spider.describe import describe, warm
from services.spider.fetch import MAX_REDIRECTS, FetchFailed
from services.spider.guard import Refused
from services.spider.page import Got, Page, parse
from services.spider.polite import ATTEMPTS, Polite
from shared.contract.config import JobConfig, ScrapingConfig
from shared.contract.events import FetchPage
from shared.contract.urls import normalise
from shared.runtime.commit import Emit
from shared.runtime.semaphore import RedisSemaphore, SlotWaitExpired
from shared.storage.blobs import Storage


class Spider:
    def __init__(
        self,
        storage: Storage,
        polite: Polite,
        crawler: Crawler,
        slots: RedisSemaphore,
        browser: BrowserPool,
    ) -> None:
        self.storage, self.polite, self.crawler = storage, polite, crawler
        self.slots, self.browser = slots, browser

    async def __call__(self, cmd: FetchPage, job: JobConfig) -> list[Emit]:
        config = job.scraping
        # A job's max_concurrent holds across all spider replicas; a dead holder's slot
        # expires after the longest a fetch with its retries can take, and no fetch waits
        # for a slot longer than that.
        hold_s = config.timeout_s * (MAX_REDIRECTS + 1) * ATTEMPTS + 60
        key = f"df:conc:spider:{cmd.job_id}"
        try:
            async with self.slots.slot(key, config.max_concurrent, hold_s, wait_s=hold_s):
                got = await self.page(cmd, config)
        except SlotWaitExpired as exc:
            return [outcomes.slot_wait_expired(cmd, str(exc))]
        except FetchFailed as exc:
            return [outcomes.failed(cmd, exc.reason, exc.detail)]
        if rejected := logic.rejection(got.page):
            return [outcomes.rejected(cmd, *rejected)]
        fetched = await self.store(cmd, got, config)
        return [fetched, *await self.crawler.discover(cmd, config, got.page, got.final_url)]

    async def page(self, cmd: FetchPage, config: ScrapingConfig) -> Got:
        """The page to keep, after a browser render when it looks script-rendered."""
        fetched = await self.polite.fetch(_canonical(cmd.url), config)
        if refused := logic.type_refusal(fetched.content_type):
            raise FetchFailed(*refused)
        kind = logic.media_type(fetched.content_type)
        text, charset = to_text(fetched.body, fetched.content_type)
        page = parse(text)
        if logic.needs_browser(page, config.use_playwright):
            rendered, final = await self.render(fetched.final_url, config)
            return Got(rendered, final, fetched.status_code, kind, "utf-8", "browser")
        return Got(page, fetched.final_url, fetched.status_code, kind, charset)

    async def render(self, url: str, config: ScrapingConfig) -> tuple[Page, str]:
        await self.polite.gate(url, config)
        try:
            html, final = await self.browser.render(url, config.timeout_s)
        except Refused as exc:
            raise FetchFailed(exc.reason, exc.detail) from None
        except Exception as exc:  # Playwright raises its own error types for every failure
            raise FetchFailed("browser_error", repr(exc)[:500]) from None
        return await asyncio.to_thread(parse, html), _canonical(final)

    async def store(self, cmd: FetchPage, got: Got, config: ScrapingConfig) -> Emit:
        """Writes the page as UTF-8 HTML to blob storage; the event carries its key."""
        await self.storage.put_async(outcomes.page_key(cmd), got.page.html.encode())
        delay = await self.polite.crawl_delay(got.final_url, config)
        return outcomes.fetched(cmd, got, describe(got.page), delay)

    async def start(self) -> None:
        await asyncio.to_thread(warm)

    async def close(self) -> None:
        await self.browser.close()
        await self.polite.aclose()


def _canonical(url: str) -> str:
    """The URL as fetched and recorded: credentials dropped, length and host checked."""
    try:
        return normalise(url)
    except ValueError as exc:
        raise FetchFailed(*logic.url_refusal(url, exc)) from None
