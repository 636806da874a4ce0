"""The dashboard in headless Chromium against `python -m services.gateway` on 127.0.0.1.

NiceGUI keeps its pages in process-wide state, so the dashboard runs in its own process.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from playwright.async_api import Page, expect
from redis.asyncio import Redis

from shared.settings import Settings
from tests.dashboard.browser import chromium
from tests.gateway.conftest import publish_log
from tests.gateway.process import gateway_process
from tests.gateway.story import Story


@pytest.fixture
def gateway_url(settings: Settings, tmp_path: Path) -> Iterator[str]:
    with gateway_process(settings, tmp_path) as (url, _log):
        yield url


@pytest.fixture
async def page() -> AsyncIterator[Page]:
    async with chromium() as browser:
        yield await browser.new_page(viewport={"width": 1500, "height": 900})


async def test_the_dashboard_shows_jobs_and_follows_them_live(
    gateway_url: str, page: Page, redis_url: str
) -> None:
    redis = Redis.from_url(redis_url)
    done, running = Story("job_done", "proj_a"), Story("job_running", "proj_b")
    await publish_log(redis, done.log())
    await publish_log(redis, running.log()[:7])  # fetched, one failure, refining
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

    await publish_log(redis, running.log()[7:])  # no reload: the page refreshes itself
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
    await publish_log(redis, running.log()[:7])
    await page.goto(gateway_url + "/")
    await page.locator(".df-job a", has_text="job_live").click()
    await expect(page).to_have_url(gateway_url + "/jobs/job_live")
    stages = page.locator(".df-stage")
    await expect(stages).to_have_count(5, timeout=15_000)
    await expect(page.locator(".df-log")).to_contain_text("failed")
    await expect(page.locator(".df-export")).to_have_count(0)
    # The estimate loads the price map off the event loop: seconds on a busy machine.
    await expect(page.locator(".df-generation")).to_contain_text("estimate", timeout=30_000)

    await publish_log(redis, running.log()[7:])  # the job finishes and is exported
    await expect(page.locator(".df-export")).to_have_count(1, timeout=15_000)
    await expect(page.locator(".df-export")).to_contain_text("download")
    await expect(page.locator(".df-log")).to_contain_text("info")
    await page.get_by_role("button", name="errors", exact=True).click()
    await expect(page.locator(".df-log")).not_to_contain_text("info")
    await expect(page.locator(".df-log")).to_contain_text("http_404")
    await redis.aclose()
