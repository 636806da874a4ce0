"""Consumes FetchPage from `df:spider`; emits PageFetched to `df:refiner`, or a skip/failure."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Literal

from faststream import FastStream

from services.spider import logic
from services.spider.browser import BrowserPool, chromium_path
from services.spider.crawl import Crawler
from services.spider.decode import to_text
from services.spider.describe import describe, warm
from services.spider.fetch import MAX_REDIRECTS, FetchFailed
from services.spider.guard import Guard, Refused, Resolver, system_resolver
from services.spider.page import Page, parse
from services.spider.polite import ATTEMPTS, Polite
from shared import redis_client, streams
from shared.commit import Emit
from shared.config import JobConfig, ScrapingConfig
from shared.events import FetchPage, PageFetched, caused
from shared.ids import derive
from shared.runtime import build_app
from shared.semaphore import RedisSemaphore, SlotWaitExpired
from shared.settings import Settings
from shared.stage import StageSpec, failure
from shared.storage.blobs import Storage
from shared.urls import normalise


@dataclass(frozen=True)
class Got:
    page: Page
    final_url: str
    status_code: int
    kind: str
    charset: str
    renderer: Literal["httpx", "browser"] = "httpx"


class Spider:
    def __init__(
        self,
        settings: Settings,
        polite: Polite,
        crawler: Crawler,
        slots: RedisSemaphore,
        browser: BrowserPool,
    ) -> None:
        self.storage = Storage.from_settings(settings)
        self.polite, self.crawler, self.slots, self.browser = polite, crawler, slots, browser

    async def page(self, cmd: FetchPage, config: ScrapingConfig) -> Got:
        """The page to keep, after a browser render when it looks script-rendered."""
        fetched = await self.polite.fetch(_canonical(cmd.url), config)
        kind = logic.html_type(fetched.content_type)
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
            return [failure("spider", cmd, "slot_wait_expired", str(exc))]
        except FetchFailed as exc:
            outcome = logic.outcome_of(exc.reason)
            return [failure("spider", cmd, exc.reason, exc.detail, outcome=outcome)]
        if rejected := logic.rejection(got.page):
            return [failure("spider", cmd, *rejected, outcome="skipped")]
        fetched = await self.store(cmd, got, config)
        return [
            Emit(streams.REFINER, fetched),
            *await self.crawler.discover(cmd, config, got.page, got.final_url),
        ]

    async def store(self, cmd: FetchPage, got: Got, config: ScrapingConfig) -> PageFetched:
        """Writes the page as UTF-8 HTML to blob storage; the event carries its key."""
        key = f"raw/{cmd.job_id}/{derive(cmd.event_id, 'page')}.html"
        await self.storage.put_async(key, got.page.html.encode())
        meta = describe(got.page)
        delay = await self.polite.crawl_delay(got.final_url, config)
        return caused(
            cmd,
            PageFetched,
            "page",
            project_id=cmd.project_id,
            url=cmd.url,
            final_url=got.final_url,
            status_code=got.status_code,
            content_type=got.kind,
            html_key=key,
            title=meta.title,
            language=meta.language,
            published=meta.published,
            encoding=got.charset,
            renderer=got.renderer,
            content_hash=meta.content_hash,
            crawl_delay_s=delay,
            text_tokens=meta.text_tokens,
        )

    async def start(self) -> None:
        await asyncio.to_thread(warm)

    async def aclose(self) -> None:
        await self.browser.close()
        await self.polite.aclose()


def _canonical(url: str) -> str:
    """The URL as fetched and recorded: credentials dropped, length and host checked."""
    try:
        return normalise(url)
    except ValueError as exc:
        reason = "unsupported_scheme" if "scheme" in str(exc) else "invalid_url"
        raise FetchFailed(reason, f"{url[:200]!r}: {exc}") from None


def create_app(
    settings: Settings | None = None, resolver: Resolver = system_resolver
) -> FastStream:
    """The spider stage; `resolver` answers the guard's DNS lookups (tests pass their own)."""
    settings = settings or Settings()
    redis = redis_client.connect(settings)
    guard = Guard(settings.allowed_networks, resolver)
    polite = Polite(redis, settings.redis_dsn, settings.user_agent, guard)
    path = chromium_path(settings.chromium_path)
    sandbox = not settings.chromium_no_sandbox
    browser = BrowserPool(path, settings.browser_pages, settings.user_agent, guard, sandbox)
    spider = Spider(settings, polite, Crawler(redis, polite), RedisSemaphore(redis), browser)
    spec = StageSpec("spider", {FetchPage: spider}, concurrency=settings.stage_concurrency)
    app = build_app(spec, settings, redis)
    app.on_startup(spider.start)
    app.after_shutdown(spider.aclose)
    return app
