"""Hostile robots.txt, bodies and URLs against the real spider: each is bounded in bytes and
time and ends as one ordinary outcome with a reason, never a crashed handler."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from pydantic import ValidationError
from redis.asyncio import Redis

from services.spider.polite import MAX_CRAWL_DELAY_S
from shared.contract import streams
from shared.contract.config import ScrapingConfig
from shared.contract.events import PageFetched
from shared.settings import Settings
from tests.security import web as w
from tests.security.spider_probe import ALLOWED, command, guarded, outcomes, reason

BOMB, TRICKLE, SLOW_SITE, PLAIN = ALLOWED


@pytest.fixture(scope="module")
def web() -> Iterator[w.Web]:
    site = w.Web(ALLOWED, [])
    site.routes.update(
        {
            ("*", "/ok"): w.page(w.ARTICLE),
            (BOMB, "/robots.txt"): w.gzip_bomb(),
            (TRICKLE, "/robots.txt"): w.trickle(every_s=9),
            (SLOW_SITE, "/robots.txt"): w.text(b"User-agent: *\nCrawl-delay: 86400\n"),
            (PLAIN, "/bad-gzip"): w.text(b"\x1f\x8b\x08garbage" * 50, {"Content-Encoding": "gzip"}),
            (PLAIN, "/to-credentials"): w.redirect(f"http://user:pw@{PLAIN}:{site.port}/ok"),
        }
    )
    yield site
    site.close()


async def test_hostile_robots_txt_is_bounded_in_bytes_time_and_delay(
    settings: Settings, web: w.Web
) -> None:
    urls = [web.url(host, "/ok") for host in (BOMB, TRICKLE, SLOW_SITE)]
    start = time.monotonic()
    got = await outcomes(guarded(settings), [command(u, timeout_s=2) for u in urls])
    assert time.monotonic() - start < 15, "a trickle is cut at the deadline"
    assert [reason(got[u]) for u in urls] == [
        "robots_disallowed",  # a gzip bomb is unusable: RFC 9309's "unreachable"
        "robots_disallowed",  # so is a robots.txt that never finishes
        "fetched",
    ]
    slow = got[urls[2]]
    assert isinstance(slow, PageFetched)
    assert slow.crawl_delay_s == MAX_CRAWL_DELAY_S, "Crawl-delay 86400 capped, and recorded"


async def test_bad_bodies_and_urls_are_ordinary_failures(settings: Settings, web: w.Web) -> None:
    urls = {
        web.url(PLAIN, "/bad-gzip"): "bad_encoding",
        "http://a..b/": "invalid_url",
        web.url(PLAIN, "/" + "x" * 3000): "invalid_url",
    }
    got = await outcomes(guarded(settings), [command(u) for u in urls])
    assert {u: reason(got[u]) for u in urls} == urls
    redis = Redis.from_url(settings.redis_dsn)
    assert await redis.xlen(streams.dead_letter(streams.SPIDER)) == 0, "no handler crashed"


async def test_url_credentials_are_neither_sent_nor_recorded(
    settings: Settings, web: w.Web
) -> None:
    submitted = f"http://user:secret@{PLAIN}:{web.port}/ok?from=submission"
    redirected = web.url(PLAIN, "/to-credentials")
    got = await outcomes(guarded(settings), [command(submitted), command(redirected)])
    first, second = got[submitted], got[redirected]
    assert isinstance(first, PageFetched) and isinstance(second, PageFetched)
    assert first.final_url == web.url(PLAIN, "/ok?from=submission")
    assert second.final_url == web.url(PLAIN, "/ok")
    assert all("Authorization" not in h for h in web.headers(PLAIN, "/ok"))


@pytest.mark.parametrize(
    "bad", [{"max_bytes": 8_000_001}, {"requests_per_second": 1e-9}, {"requests_per_second": 0}]
)
def test_scraping_bounds_are_refused_at_submission(bad: dict[str, float]) -> None:
    with pytest.raises(ValidationError):
        ScrapingConfig(**bad)
