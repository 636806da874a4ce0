"""The dashboard in real Chromium against `python -m services.gateway` on 127.0.0.1 (NiceGUI
keeps its pages in process-wide state, so the gateway runs in its own process): every page
over a finished 300-example job and an active one, with no console errors, nothing fetched
from another host, the bundled fonts in use and scraped markup shown as text; and the pages
following a job live as its log grows."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.async_api import (
    ConsoleMessage,
    FilePayload,
    Page,
    Request,
    ViewportSize,
    expect,
)
from redis.asyncio import Redis

from shared.settings import Settings
from tests.dashboard.browser import chromium
from tests.dashboard.seed import HOSTILE, publish, seed, seed_stopped
from tests.gateway.process import gateway_process
from tests.gateway.story import Story

# Where screenshots go: DATAFACTORY_SCREENSHOTS to keep them, else the test's tmp folder.
SHOTS = os.environ.get("DATAFACTORY_SCREENSHOTS")
FONTS_LOADED = """async () => {
  await document.fonts.ready;
  const loaded = [...document.fonts].filter(f => f.status === 'loaded').map(f => f.family);
  return {loaded, mono: document.fonts.check('12px "JetBrains Mono"'),
          sans: document.fonts.check('12px Inter')};
}"""
PHONE: ViewportSize = {"width": 390, "height": 844}
# The page is as wide as the window: nothing runs off the side of the screen.
WIDTH = "[document.documentElement.scrollWidth, window.innerWidth]"


@pytest.fixture
def gateway_url(settings: Settings, tmp_path: Path) -> Iterator[str]:
    with gateway_process(settings, tmp_path) as (url, _log):
        yield url


@pytest.fixture
async def page() -> AsyncIterator[Page]:
    async with chromium() as browser:
        yield await browser.new_page(viewport={"width": 1500, "height": 900})


class Watch:
    """What the browser did that a page must not: console errors, requests to other hosts."""

    def __init__(self, page: Page) -> None:
        self.errors: list[str] = []
        self.outside: list[str] = []
        page.on("console", self.console)
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        page.on("request", self.request)

    def console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(message.text)

    def request(self, request: Request) -> None:
        parts = urlsplit(request.url)
        if parts.scheme in ("http", "https", "ws", "wss") and parts.hostname != "127.0.0.1":
            self.outside.append(request.url)


async def visit(page: Page, url: str, shots: Path, name: str) -> None:
    response = await page.goto(url)
    assert response is not None and response.status == 200, name
    await page.locator(".df-page").first.wait_for()  # the frame, then the page's content
    fonts = await page.evaluate(FONTS_LOADED)
    assert {"Inter", "JetBrains Mono"} <= set(fonts["loaded"]), (name, fonts)
    assert fonts["mono"] and fonts["sans"], (name, fonts)
    assert await page.evaluate("window.__pwned") is None, name  # no scraped script ran
    path = shots / f"{name}.png"
    await page.screenshot(path=path, full_page=True)
    assert path.stat().st_size > 10_000


@pytest.mark.timeout(240)  # every page twice, at 1500 and at 390 px, on a busy 2-core machine
async def test_every_page_renders_offline_with_its_fonts_and_scraped_markup_as_text(
    gateway_url: str, settings: Settings, redis_url: str, tmp_path: Path
) -> None:
    redis = Redis.from_url(redis_url)
    ids = await seed(redis, settings.data_dir) | await seed_stopped(redis)
    await redis.aclose()
    shots = Path(SHOTS) if SHOTS else tmp_path
    shots.mkdir(parents=True, exist_ok=True)
    async with chromium() as browser:
        page = await browser.new_page(viewport={"width": 1500, "height": 1000})
        page.set_default_timeout(60_000)  # a busy machine; each wait still ends at its condition
        watch = Watch(page)
        await page.goto(gateway_url + f"/jobs/{ids['done']}")  # waits out the projector
        await expect(page.locator(".df-export")).to_have_count(1, timeout=60_000)
        pages = {
            "home": "/",
            "projects": "/projects",
            "project": f"/projects/{ids['project']}",
            "new-job": f"/projects/{ids['project']}/new-job",
            "job-done": f"/jobs/{ids['done']}",
            "job-active": f"/jobs/{ids['active']}",
            "job-cancelled": f"/jobs/{ids['cancelled']}",
            "job-failed": f"/jobs/{ids['failed']}",
            "results": f"/jobs/{ids['done']}/results",
            "exports": "/exports",
            "settings": "/settings",
            "templates": "/templates",
        }
        for name, path in pages.items():
            await visit(page, gateway_url + path, shots, name)
            width, shown = await page.evaluate(WIDTH)
            assert width <= shown, (name, width)
        phone = await browser.new_page(viewport=PHONE)
        phone.set_default_timeout(60_000)
        on_phone = Watch(phone)
        for name, path in pages.items():
            await visit(phone, gateway_url + path, shots, f"{name}-390")
            width, _ = await phone.evaluate(WIDTH)
            assert width <= PHONE["width"], (name, width)  # nothing runs off a phone's screen
        await expect(phone.locator(".df-nav")).to_be_hidden()  # a menu instead
        await phone.locator(".df-menu-button").click()
        await phone.locator(".df-menu").get_by_text("Exports", exact=True).click()
        await expect(phone).to_have_url(gateway_url + "/exports")
        await phone.close()
        await stopped_jobs_look_stopped(page, gateway_url, ids)

        await page.goto(gateway_url + f"/projects/{ids['project']}")
        await expect(page.locator(".df-project-name")).to_have_text(
            f"Tools {HOSTILE}", timeout=30_000
        )
        await page.goto(gateway_url + f"/jobs/{ids['done']}")
        await page.get_by_role("button", name="errors", exact=True).click()
        await expect(page.locator(".df-log")).to_contain_text(f"404 {HOSTILE}", timeout=30_000)
        await page.goto(gateway_url + f"/projects/{ids['project']}/new-job")
        upload = page.locator("input[type=file]")
        big = b"https://docs.example.com/page\n" * 40_000  # over the 1,000,000 bytes allowed
        too_big: FilePayload = {"name": "big.txt", "mimeType": "text/plain", "buffer": big}
        await upload.set_input_files([too_big])
        await expect(page.get_by_text("file refused")).to_be_visible(timeout=30_000)
        listed = b"url,title\nhttps://docs.example.com/x,X\nftp://nowhere,Y\n"
        mixed: FilePayload = {"name": "l.csv", "mimeType": "text/csv", "buffer": listed}
        await upload.set_input_files([mixed])
        await expect(page.locator(".df-rejected")).to_contain_text("ftp://nowhere", timeout=30_000)
        await expect(page.locator("textarea")).to_have_value(
            "https://docs.example.com/x\nftp://nowhere"
        )
        await page.goto(gateway_url + "/exports")
        await page.get_by_text("dataset card").click()
        await expect(page.locator(".df-pre")).to_contain_text(HOSTILE, timeout=30_000)
        assert await page.evaluate("window.__pwned") is None
    assert watch.errors == [] and on_phone.errors == []
    assert watch.outside == [] and on_phone.outside == []


async def stopped_jobs_look_stopped(page: Page, url: str, ids: dict[str, str]) -> None:
    """A running job glows and can be cancelled; a cancelled or failed one does neither."""
    still = (".df-moving", ".df-current", ".df-live-dot", ".df-running", ".df-cancel")
    await page.goto(url + f"/jobs/{ids['active']}")
    await expect(page.locator(".df-stage.df-current")).to_have_count(1)  # the spider's 4/10
    await expect(page.locator(".df-cancel")).to_have_count(1)
    await page.goto(url + f"/jobs/{ids['cancelled']}")
    await expect(page.locator(".df-job-cancelled")).to_be_visible()
    for selector in still:
        await expect(page.locator(selector)).to_have_count(0)
    await page.goto(url + f"/jobs/{ids['failed']}")
    await expect(page.locator(".df-job-error")).to_contain_text("No page could be fetched.")
    await expect(page.locator(".df-stage.df-failed")).to_have_count(1)  # the spider, in red
    await expect(page.locator(".df-stage.df-done")).to_have_count(0)
    for selector in still:
        await expect(page.locator(selector)).to_have_count(0)
    await page.goto(url + "/")
    cancelled = page.locator(".df-job", has_text=ids["cancelled"])
    await expect(cancelled).to_contain_text("stopped at")
    await expect(cancelled.locator(".df-running")).to_have_count(0)
    await page.goto(url + f"/projects/{ids['project']}/new-job")
    start = "getComputedStyle(document.querySelector('.df-start')).backgroundColor"
    assert await page.evaluate(start) == "rgb(0, 212, 255)"  # the palette's cyan, not Quasar's


async def test_the_dashboard_shows_jobs_and_follows_them_live(
    gateway_url: str, page: Page, redis_url: str
) -> None:
    redis = Redis.from_url(redis_url)
    done, running = Story("job_done", "proj_a"), Story("job_running", "proj_b")
    await publish(redis, done.log())
    await publish(redis, running.log()[:7])  # fetched, one failure, refining
    outside: list[str] = []
    page.on("request", lambda r: None if r.url.startswith(gateway_url) else outside.append(r.url))

    await page.goto(gateway_url + "/")
    done_row = page.locator(".df-job", has_text="job_done")
    running_row = page.locator(".df-job", has_text="job_running")
    await expect(done_row).to_contain_text("completed", timeout=15_000)
    await expect(done_row).to_contain_text("$0.0027")
    await expect(done_row).to_contain_text("2/2")  # inspector: both examples scored
    await expect(running_row).to_contain_text("running")
    await expect(running_row).to_contain_text("1 failed")
    stats = page.locator(".df-stat .df-num")
    await expect(stats).to_have_text(["2", "1", "1 / 2", "$0.0027"])  # jobs, active, examples, cost

    await publish(redis, running.log()[7:])  # no reload: the page refreshes itself
    await expect(running_row).to_contain_text("completed", timeout=15_000)
    await expect(stats).to_have_text(["2", "0", "2 / 4", "$0.0054"])

    body = await page.evaluate("getComputedStyle(document.body).backgroundColor")
    number = await page.evaluate("getComputedStyle(document.querySelector('.df-num')).fontFamily")
    assert body == "rgb(10, 10, 15)" and "JetBrains Mono" in number
    assert outside == []
    await redis.aclose()


async def test_the_job_page_shows_stages_failures_and_exports(
    gateway_url: str, page: Page, redis_url: str
) -> None:
    redis = Redis.from_url(redis_url)
    running = Story("job_live", "proj_c")
    await publish(redis, running.log()[:7])
    await page.goto(gateway_url + "/")
    await page.locator(".df-job", has_text="job_live").locator("a").first.click()
    await expect(page).to_have_url(gateway_url + "/jobs/job_live")
    stages = page.locator(".df-stage")
    await expect(stages).to_have_count(5, timeout=15_000)
    await expect(page.locator(".df-log")).to_contain_text("failed")
    await expect(page.locator(".df-export")).to_have_count(0)
    # The estimate loads the price map off the event loop: seconds on a busy machine.
    await expect(page.locator(".df-generation")).to_contain_text("estimate", timeout=30_000)

    await publish(redis, running.log()[7:])  # the job finishes and is exported
    await expect(page.locator(".df-export")).to_have_count(1, timeout=15_000)
    await expect(page.locator(".df-export")).to_contain_text("download")
    await expect(page.locator(".df-log")).to_contain_text("info")
    await page.get_by_role("button", name="errors", exact=True).click()
    await expect(page.locator(".df-log")).not_to_contain_text("info")
    await expect(page.locator(".df-log")).to_contain_text("http_404")
    await redis.aclose()
