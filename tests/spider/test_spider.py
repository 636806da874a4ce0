"""The spider against a hostile local web: every endpoint gets its expected outcome."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from redis.asyncio import Redis

from services.spider.app import create_app
from shared.contract import streams
from shared.contract.config import JobConfig, ScrapingConfig
from shared.contract.events import FetchPage, ItemFailed, PageFetched
from shared.contract.ids import derive
from shared.settings import Settings
from tests.helpers import configure, of_kind, publish, read_all, running, wait_for
from tests.spider.hostile import Web

# Real browsers and polite crawl delays: these wait up to 90 s for outcomes.
pytestmark = pytest.mark.timeout(180)

HOSTS = ["127.0.0.31", "127.0.0.32", "127.0.0.33"]


@pytest.fixture(scope="module")
def web() -> Iterator[Web]:
    robots = {HOSTS[1]: "User-agent: *\nDisallow: /private\nCrawl-delay: 1\n"}
    sitemap = "<urlset><url><loc>http://{h}:{p}/site/e</loc></url></urlset>"
    server = Web(HOSTS, robots)
    server.sitemaps[HOSTS[2]] = sitemap.format(h=HOSTS[2], p=server.port)
    yield server
    server.close()


@dataclass(frozen=True)
class Command:
    """A FetchPage and the config of its job: one job per set of scraping options."""

    event: FetchPage
    config: JobConfig


def command(url: str, **scraping: object) -> Command:
    config = JobConfig(scraping=ScrapingConfig(**{"timeout_s": 4.0, **scraping}))
    job = derive(config.model_dump_json(), "job")
    return Command(FetchPage(event_id=derive(job, "fetch", url), job_id=job, url=url), config)


async def submit(redis: Redis, commands: list[Command]) -> None:
    """Writes each job's config and tally, as the gateway does, then the work items."""
    for c in commands:
        await configure(redis, c.event.job_id, config=c.config)
        await redis.hincrby(streams.tally_key(c.event.job_id), "outstanding", 1)
    await publish(redis, streams.SPIDER, *(c.event for c in commands))


async def outcomes(
    settings: Settings, commands: list[Command], timeout: float = 60
) -> dict[str, object]:
    """Runs one spider over `commands`; maps each URL to its PageFetched or ItemFailed."""
    redis = Redis.from_url(settings.redis_dsn)
    await submit(redis, commands)

    async def settled() -> dict[str, object]:
        events = [*await read_all(redis, streams.REFINER), *await read_all(redis, streams.EVENTS)]
        return {
            e.url: e
            for e in events
            if isinstance(e, PageFetched | ItemFailed)
            and e.url
            and (e.caused_by in ids or e.event_id in ids)
        }

    ids = {c.event.event_id for c in commands}
    async with running(create_app(settings)):
        return await wait_for(settled, lambda got: len(got) == len(commands), timeout)


def reason(outcome: object) -> str:
    return outcome.reason if isinstance(outcome, ItemFailed) else "fetched"


async def test_hostile_endpoints_get_their_outcomes(settings: Settings, web: Web) -> None:
    host = HOSTS[0]
    expected = {
        "/ok": "fetched",
        "/hop": "fetched",
        "/latin1": "fetched",
        "/flaky": "fetched",
        "/retry-after": "fetched",
        "/slow": "timeout",
        "/endless": "too_large",
        "/bomb": "too_large",
        "/loop-a": "redirect_loop",
        "/binary": "not_html",
        "/missing": "http_404",
        "/always500": "http_5xx",
        "/challenge": "http_5xx",
        "/challenge200": "blocked",
        "/login": "login_wall",
        "/soft404": "soft_404",
        "/empty": "near_empty",
    }
    urls = {web.url(host, path): want for path, want in expected.items()}
    got = await outcomes(settings, [command(url, max_bytes=2_000_000) for url in urls])
    assert {url: reason(got[url]) for url in urls} == urls
    skipped = {u for u, o in got.items() if isinstance(o, ItemFailed) and o.outcome == "skipped"}
    assert skipped == {
        web.url(host, p) for p in ("/binary", "/challenge200", "/login", "/soft404", "/empty")
    }
    assert len(web.hits(host, "/always500")) == 3, "three attempts on 5xx"
    assert len(web.hits(host, "/missing")) == 1, "no retry on other 4xx"
    first, second = web.hits(host, "/retry-after")
    assert second - first >= 0.95, "Retry-After honoured"


async def test_pages_keep_their_text_metadata_and_file(settings: Settings, web: Web) -> None:
    urls = [web.url(HOSTS[0], "/latin1"), web.url(HOSTS[0], "/hop")]
    got = await outcomes(settings, [command(u) for u in urls])
    latin, hopped = got[urls[0]], got[urls[1]]
    assert isinstance(latin, PageFetched) and isinstance(hopped, PageFetched)
    assert "Straße, grüße Müller" in (settings.data_dir / latin.html_key).read_text("utf-8")
    assert hopped.final_url == web.url(HOSTS[0], "/ok")
    assert (hopped.title, hopped.language) == ("Fine", "en")
    assert len(hopped.content_hash) == 64


async def test_robots_disallow_and_ssrf_are_refused_without_a_request(
    settings: Settings, web: Web
) -> None:
    urls = [
        web.url(HOSTS[1], "/private/page"),
        "http://169.254.169.254/latest/meta-data/",
        "ftp://127.0.0.1/file",
    ]
    got = await outcomes(settings, [command(u) for u in urls])
    assert [reason(got[u]) for u in urls] == [
        "robots_disallowed",
        "ssrf_refused",
        "unsupported_scheme",
    ]
    assert web.hits(HOSTS[1], "/private/page") == []


async def test_loopback_is_refused_unless_allowed(settings: Settings, web: Web) -> None:
    closed = settings.model_copy(update={"allowed_networks": []})
    url = web.url(HOSTS[0], "/ok")
    got = await outcomes(closed, [command(url)])
    assert reason(got[url]) == "ssrf_refused"
    private = web.url(HOSTS[1], "/private/page")
    ignored = await outcomes(settings, [command(private, respect_robots_txt=False)])
    assert reason(ignored[private]) == "near_empty", "fetched despite robots.txt, then judged"
    assert len(web.hits(HOSTS[1], "/private/page")) == 1


async def test_script_rendered_pages_are_rendered_by_chromium(settings: Settings, web: Web) -> None:
    url = web.url(HOSTS[2], "/js")
    got = await outcomes(settings, [command(url)], timeout=90)
    page = got[url]
    assert isinstance(page, PageFetched), page
    assert page.renderer == "browser"
    assert "Rendered by script" in (settings.data_dir / page.html_key).read_text()
    never = await outcomes(settings, [command(url + "?n", use_playwright="never")])
    assert reason(never[url + "?n"]) == "near_empty"


def gaps(stamps: list[float], span: int) -> list[float]:
    """Time between each request and the one `span` requests later."""
    return [b - a for a, b in zip(stamps, stamps[span:], strict=False)]


async def test_two_replicas_never_exceed_a_hosts_rate(settings: Settings, web: Web) -> None:
    host = HOSTS[2]
    commands = [command(web.url(host, f"/page/r{i}"), requests_per_second=2) for i in range(8)]
    redis = Redis.from_url(settings.redis_dsn)
    await submit(redis, commands)
    async with running(create_app(settings), create_app(settings)):
        await wait_for(lambda: redis.xlen(streams.REFINER), lambda n: n == len(commands), 60)
    stamps = sorted(t for i in range(8) for t in web.hits(host, f"/page/r{i}"))
    assert len(stamps) == 8
    assert min(gaps(stamps, 2)) >= 0.95, "no 1-second window holds more than 2 requests"


async def test_crawl_delay_is_honoured_when_stricter(settings: Settings, web: Web) -> None:
    host = HOSTS[1]
    urls = [web.url(host, f"/page/d{i}") for i in range(3)]
    await outcomes(settings, [command(u, requests_per_second=10) for u in urls])
    stamps = sorted(t for i in range(3) for t in web.hits(host, f"/page/d{i}"))
    assert min(gaps(stamps, 1)) >= 0.95


async def test_crawl_mode_follows_same_site_links_and_the_sitemap(
    settings: Settings, web: Web
) -> None:
    seed = web.url(HOSTS[2], "/site/")
    redis = Redis.from_url(settings.redis_dsn)
    seed_command = command(seed, crawl=True, max_depth=1, requests_per_second=20)
    await submit(redis, [seed_command])
    async with running(create_app(settings)):
        await wait_for(lambda: redis.xlen(streams.REFINER), lambda n: n >= 5, 60)
    pages = {e.url for e in of_kind(await read_all(redis, streams.REFINER), PageFetched)}
    assert pages == {seed, *(web.url(HOSTS[2], f"/site/{p}") for p in "abce")}
    assert web.hits(HOSTS[2], "/site/d") == [], "depth 2 is beyond max_depth"
    # Five pages now wait for the refiner: the seed's outcome counted the four it discovered.
    tally = streams.tally_key(seed_command.event.job_id)
    assert await redis.hget(tally, "outstanding") == b"5"


async def test_a_jobs_max_concurrent_holds_across_replicas(settings: Settings, web: Web) -> None:
    commands = [
        command(web.url(host, f"/wait?i={i}"), max_concurrent=2, requests_per_second=50)
        for i, host in enumerate(HOSTS * 2)
    ]
    redis = Redis.from_url(settings.redis_dsn)
    await submit(redis, commands)
    async with running(create_app(settings), create_app(settings)):
        await wait_for(lambda: redis.xlen(streams.REFINER), lambda n: n == len(commands), 60)
    assert web.max_in_flight == 2
