"""A bounded pool of headless Chromium pages (Playwright) for script-rendered sites."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

from playwright.async_api import Browser, Playwright, Route, async_playwright

_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
_SKIPPED_RESOURCES = {"image", "media", "font"}


def chromium_path(configured: str | None) -> str | None:
    """A configured browser, else the system's Chromium; None lets Playwright use its own."""
    if configured:
        return configured
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    return found if found and Path(found).exists() else None


class BrowserPool:
    def __init__(self, executable: str | None, size: int, user_agent: str) -> None:
        self.executable, self.user_agent = executable, user_agent
        self._slots = asyncio.Semaphore(size)
        self._lock = asyncio.Lock()
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None

    async def _ensure(self) -> Browser:
        async with self._lock:
            if self._browser is None or not self._browser.is_connected():
                self._playwright = self._playwright or await async_playwright().start()
                self._browser = await self._playwright.chromium.launch(
                    executable_path=self.executable, args=_ARGS, headless=True
                )
            return self._browser

    async def render(self, url: str, timeout_s: float) -> tuple[str, str]:
        """The page's HTML after scripts ran, and its final URL."""
        async with self._slots:
            browser = await self._ensure()
            context = await browser.new_context(user_agent=self.user_agent, accept_downloads=False)
            try:
                page = await context.new_page()
                await page.route("**/*", _skip_heavy)
                await page.goto(url, timeout=timeout_s * 1000, wait_until="networkidle")
                return await page.content(), page.url
            finally:
                await context.close()

    async def close(self) -> None:
        if self._browser is not None:
            await self._browser.close()
        if self._playwright is not None:
            await self._playwright.stop()


async def _skip_heavy(route: Route) -> None:
    if route.request.resource_type in _SKIPPED_RESOURCES:
        await route.abort()
    else:
        await route.continue_()
