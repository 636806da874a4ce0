"""Consumes FetchPage from `df:spider`; emits PageFetched to `df:refiner`, or a skip/failure."""

from __future__ import annotations

from faststream import FastStream

from services.spider.browser import BrowserPool, chromium_path
from services.spider.crawl import Crawler
from services.spider.guard import Guard, Resolver, system_resolver
from services.spider.handler import Spider
from services.spider.polite import Polite
from shared.contract.events import FetchPage
from shared.runtime import redis_client
from shared.runtime.runtime import build_app
from shared.runtime.semaphore import RedisSemaphore
from shared.runtime.stage import StageSpec
from shared.settings import Settings
from shared.storage.blobs import Storage


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
    storage = Storage.from_settings(settings)
    spider = Spider(storage, polite, Crawler(redis, polite), RedisSemaphore(redis), browser)
    spec = StageSpec(
        "spider",
        {FetchPage: spider},
        concurrency=settings.stage_concurrency,
        start=spider.start,
        close=spider.close,
    )
    return build_app(spec, settings, redis)
