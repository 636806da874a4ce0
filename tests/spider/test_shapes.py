"""No page is lost to parsing: XHTML, BOMs, UTF-16 and legacy charsets all reach the refiner."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest
from redis.asyncio import Redis

from services.refiner.app import create_app as refiner_app
from services.refiner.extract import extract, run_trafilatura
from services.spider import logic
from services.spider.app import create_app as spider_app
from services.spider.decode import to_text
from services.spider.page import parse
from shared.contract import streams
from shared.contract.config import JobConfig, ScrapingConfig
from shared.contract.events import FetchPage
from shared.contract.ids import derive
from shared.settings import Settings
from tests.conftest import CORPUS
from tests.helpers import by_type, configure, publish, read_all, running, wait_for
from tests.spider.shapes import SHAPES, Served, bare, shaped
from tests.web import Loopback

# Every page shape through a spider and a refiner: up to 120 s for the outcomes.
pytestmark = pytest.mark.timeout(240)

ENOUGH_WORDS = 200
# English, German, French, and a page with Cyrillic script that legacy charsets must keep.
SAMPLES = (
    "3ac1baec4aecedbb.html",
    "35ad5b9601d3d0e7.html",
    "893ed68e771e26ef.html",
    "6155a3d5eaef6965.html",
)


@functools.cache
def original(name: str) -> str:
    return (CORPUS / name).read_text("utf-8", errors="replace")


@functools.cache
def substantial() -> tuple[str, ...]:
    """The corpus pages from which trafilatura extracts at least 200 words."""
    names = sorted(p.name for p in CORPUS.glob("*.html"))
    return tuple(
        n for n in names if len((run_trafilatura(original(n)) or "").split()) >= ENOUGH_WORDS
    )


def rejection(served: Served) -> tuple[str, str] | None:
    """The spider's verdict on a page as it arrived: decoded, parsed, judged."""
    return logic.rejection(parse(to_text(served.body, served.content_type)[0]))


@pytest.mark.parametrize("shape", sorted(SHAPES))
@pytest.mark.parametrize("name", SAMPLES)
def test_every_shape_of_a_page_gives_the_spider_the_same_text(shape: str, name: str) -> None:
    served = shaped(original(name), shape)
    page = parse(to_text(served.body, served.content_type)[0])
    assert page.text == parse(bare(original(name))).text
    assert not page.html.startswith(("<?xml", "\ufeff")), "no stale declaration is stored"


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_no_page_with_200_extractable_words_is_skipped_in_any_shape(shape: str) -> None:
    assert len(substantial()) >= 80
    skipped = {n: r for n in substantial() if (r := rejection(shaped(original(n), shape)))}
    assert skipped == {}


def test_a_declared_charset_in_ascii_is_never_utf16() -> None:
    body = b'<?xml version="1.0" encoding="UTF-16"?><html><body><p>caf\xc3\xa9</p></body></html>'
    assert to_text(body, "text/html") == (body.decode(), "utf-8")


class _Handler(BaseHTTPRequestHandler):
    pages: dict[str, Served] = {}

    def do_GET(self) -> None:
        served = self.pages.get(self.path)
        body = served.body if served else b"missing"
        self.send_response(200 if served else 404)
        self.send_header("Content-Type", served.content_type if served else "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def shaped_site() -> Iterator[str]:
    """Every sample page in every shape, at /<shape>/<file> on 127.0.0.1."""
    pages = {f"/{s}/{n}": shaped(original(n), s) for s in SHAPES for n in SAMPLES}
    handler = type("Shapes", (_Handler,), {"pages": pages})
    with Loopback(handler) as web:
        yield web.bases[0]


async def test_every_shape_is_fetched_and_refined_to_the_original_text(
    settings: Settings, shaped_site: str
) -> None:
    redis = Redis.from_url(settings.redis_dsn)
    scraping = ScrapingConfig(requests_per_second=100, max_concurrent=16, use_playwright="never")
    job = derive("shapes", "job")
    await configure(redis, job, config=JobConfig(scraping=scraping))
    urls = [f"{shaped_site}/{s}/{n}" for s in SHAPES for n in SAMPLES]
    commands = [FetchPage(event_id=derive(job, "fetch", u), job_id=job, url=u) for u in urls]
    await redis.hincrby(streams.tally_key(job), "outstanding", len(commands))
    await publish(redis, streams.SPIDER, *commands)

    async def settled() -> list[Any]:
        events = await read_all(redis, streams.EVENTS)
        return by_type(events, "DocumentRefined") + by_type(events, "ItemFailed")

    async with running(spider_app(settings), refiner_app(settings)):
        done = await wait_for(settled, lambda got: len(got) >= len(urls), timeout=120)
    failed = by_type(done, "ItemFailed")
    assert not failed, [(f.url, f.reason) for f in failed]
    for doc in done:
        text = (settings.data_dir / f"text/{job}/{doc.document_id}.txt").read_text("utf-8")
        assert text == extract(original(doc.url.rsplit("/", 1)[1])).text, doc.url
