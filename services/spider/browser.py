"""A bounded pool of headless Chromium pages (Playwright) for script-rendered sites.

Each render gets its own browser context whose only way out is its own guarded proxy, so
navigations, redirects, subresources and script-initiated requests all pass the SSRF guard;
a result whose document, or any hop leading to it, was refused is refused in turn.

Chromium runs in its sandbox or not at all, unless DATAFACTORY_CHROMIUM_NO_SANDBOX says so: a
renderer exploit outside the sandbox owns the spider process and whatever it can reach."""

from __future__ import annotations

import asyncio
import logging
import shutil
from pathlib import Path

from playwright.async_api import (
    Browser,
    Error,
    Page,
    Playwright,
    ProxySettings,
    Request,
    Route,
    async_playwright,
)

from services.spider.guard import Guard, Refused, split_target
from services.spider.proxy import GuardedProxy

log = logging.getLogger(__name__)
# Traffic outside a render's context (there should be none) goes to a closed port: fail closed.
_NOWHERE: ProxySettings = {"server": "http://127.0.0.1:9"}
_ARGS = [
    "--headless",
    "--disable-gpu",
    # WebRTC's UDP would bypass the proxy; this keeps it to proxied TCP.
    "--force-webrtc-ip-handling-policy=disable_non_proxied_udp",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
_SKIPPED_RESOURCES = {"image", "media", "font"}


class SandboxUnavailable(RuntimeError):
    """Chromium's sandbox cannot start here, and running without it was not asked for."""


def chromium_path(configured: str | None) -> str | None:
    """A configured browser, else the system's Chromium; None lets Playwright use its own."""
    if configured:
        return configured
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    return found if found and Path(found).exists() else None


class BrowserPool:
    def __init__(
        self, executable: str | None, size: int, user_agent: str, guard: Guard, sandbox: bool
    ) -> None:
        self.executable, self.user_agent, self.guard = executable, user_agent, guard
        self.sandbox = sandbox
        self._slots = asyncio.Semaphore(size)
        self._lock = asyncio.Lock()
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None

    async def _ensure(self) -> Browser:
        async with self._lock:
            if self._browser is None or not self._browser.is_connected():
                self._playwright = self._playwright or await async_playwright().start()
                self._browser = await self._launch(self._playwright)
            return self._browser

    async def _launch(self, playwright: Playwright) -> Browser:
        if not self.sandbox:
            log.warning("Chromium starts without its sandbox (DATAFACTORY_CHROMIUM_NO_SANDBOX)")
            return await self._start(playwright, False)
        try:
            return await self._start(playwright, True)
        except Error as exc:
            # Never a silent retry without it: pages then fail until the operator decides.
            log.error("Chromium's sandbox cannot start; pages that need it fail: %s", exc)
            raise SandboxUnavailable(
                "Chromium's sandbox cannot start here (as root, or with seccomp or user "
                "namespaces denied); fix that, or set DATAFACTORY_CHROMIUM_NO_SANDBOX=1 "
                f"to render without it ({str(exc).splitlines()[0][:200]})"
            ) from None

    async def _start(self, playwright: Playwright, sandbox: bool) -> Browser:
        return await playwright.chromium.launch(
            executable_path=self.executable,
            args=_ARGS,
            headless=True,
            chromium_sandbox=sandbox,
            proxy=_NOWHERE,
        )

    async def render(self, url: str, timeout_s: float) -> tuple[str, str]:
        """The page's HTML after scripts ran, and its final URL; raises Refused when the
        document, a redirect to it or a script's navigation was refused by the guard."""
        async with self._slots, GuardedProxy(self.guard) as proxy:
            hops: list[str] = []
            try:
                html, final = await self._load(proxy, url, timeout_s, hops)
            except Error:
                _raise_refused(proxy, hops)
                raise
        _raise_refused(proxy, hops)
        await self.guard.check(final)  # an error page (chrome-error://) is no result either
        return html, final

    async def _load(
        self, proxy: GuardedProxy, url: str, timeout_s: float, hops: list[str]
    ) -> tuple[str, str]:
        """Loads `url`; `hops` collects every URL the main frame is sent to on the way."""
        browser = await self._ensure()
        context = await browser.new_context(
            user_agent=self.user_agent,
            accept_downloads=False,
            service_workers="block",
            proxy={"server": proxy.url},
        )
        try:
            page = await context.new_page()
            page.on("request", lambda r: _note_navigation(page, r, hops))
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


def _note_navigation(page: Page, request: Request, hops: list[str]) -> None:
    if request.is_navigation_request() and request.frame == page.main_frame:
        hops.append(request.url)


def _raise_refused(proxy: GuardedProxy, hops: list[str]) -> None:
    for hop in hops:
        try:
            refused = proxy.refusal(*split_target(hop))
        except Refused:
            continue  # not a web URL (about:blank): nothing the proxy saw
        if refused:
            raise Refused(refused.reason, f"{hop}: {refused.detail}")


async def _skip_heavy(route: Route) -> None:
    if route.request.resource_type in _SKIPPED_RESOURCES:
        await route.abort()
    else:
        await route.continue_()
