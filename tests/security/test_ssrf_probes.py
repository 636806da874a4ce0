"""SSRF probes against the real spider: every route towards an internal "secret" host is
refused with a reason, the secret host never sees a request, and the secret lands nowhere."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from services.spider.guard import Guard, Refused
from services.spider.pinning import pinned_client
from shared.contract.events import ItemFailed, PageFetched
from shared.settings import Settings
from tests.security import web as w
from tests.security.spider_probe import (
    ALLOWED,
    HOSTS,
    SECRET_HOST,
    command,
    guarded,
    leaks,
    outcomes,
    reason,
)

ATTACKER, ROBOTS_HOST, SITEMAP_HOST = ALLOWED[0], ALLOWED[1], ALLOWED[2]


@pytest.fixture(scope="module")
def web() -> Iterator[w.Web]:
    site = w.Web(HOSTS, [SECRET_HOST, "127.0.0.1"])
    to_secret = site.url(SECRET_HOST, "/latest/meta-data/")
    site.routes.update(
        {
            ("*", "/ok"): w.page(w.ARTICLE),
            ("*", "/js"): w.page(w.JS_ONLY),
            (ATTACKER, "/hop"): w.redirect(to_secret),
            (ATTACKER, "/via-browser"): w.cloaked(w.page(_script_shell()), w.redirect(to_secret)),
            (ATTACKER, "/via-browser-tls"): w.cloaked(
                w.page(_script_shell()), w.redirect(f"https://{SECRET_HOST}:{site.port}/")
            ),
            (ATTACKER, "/js-redirect"): w.page(
                _script_shell(), f"<script>location.href = {to_secret!r};</script>"
            ),
            (ATTACKER, "/subresources"): w.page(_subresources(to_secret)),
            (ROBOTS_HOST, "/robots.txt"): w.redirect(site.url(SECRET_HOST, "/robots.txt")),
            (SITEMAP_HOST, "/sitemap.xml"): w.redirect(site.url(SECRET_HOST, "/sitemap.xml")),
            (SITEMAP_HOST, "/site/"): w.page(f"<a href='{to_secret}'>in</a>{w.ARTICLE}"),
        }
    )
    yield site
    site.close()


def _script_shell() -> str:
    """A page that looks script-rendered, so the spider hands it to Chromium."""
    return (
        "<div id='root'></div><noscript>You need to enable JavaScript to run this app.</noscript>"
    )


def _subresources(secret: str) -> str:
    """A page whose scripts, frames and images all reach for the secret host."""
    return (
        f"{w.ARTICLE}<div id='out'></div><img src='{secret}img'><iframe src='{secret}frame'>"
        f"</iframe><script src='{secret}script.js'></script>"
        f"<script>fetch({secret!r}).then(r => r.text())"
        ".then(t => document.getElementById('out').textContent = t);</script>"
    )


async def test_redirect_to_an_internal_host_is_refused_on_every_route(
    settings: Settings, web: w.Web
) -> None:
    probes = {
        web.url(ATTACKER, "/hop"): {},
        web.url(ROBOTS_HOST, "/ok"): {},
        web.url(ATTACKER, "/via-browser"): {"use_playwright": "always"},
        web.url(ATTACKER, "/via-browser-tls"): {"use_playwright": "always"},
        web.url(ATTACKER, "/js-redirect"): {"use_playwright": "always"},
    }
    got = await outcomes(guarded(settings), [command(u, **o) for u, o in probes.items()])
    assert {u: reason(got[u]) for u in probes} == {
        web.url(ATTACKER, "/hop"): "ssrf_refused",
        web.url(ROBOTS_HOST, "/ok"): "robots_disallowed",  # robots.txt unreachable: RFC 9309
        web.url(ATTACKER, "/via-browser"): "ssrf_refused",
        web.url(ATTACKER, "/via-browser-tls"): "ssrf_refused",  # a CONNECT tunnel refused
        web.url(ATTACKER, "/js-redirect"): "ssrf_refused",
    }
    refused = got[web.url(ATTACKER, "/js-redirect")]
    assert isinstance(refused, ItemFailed) and SECRET_HOST in refused.detail
    assert web.hits(SECRET_HOST) == []
    assert await leaks(settings) == []


async def test_a_crawls_sitemap_and_links_never_reach_an_internal_host(
    settings: Settings, web: w.Web
) -> None:
    seed = web.url(SITEMAP_HOST, "/site/")
    got = await outcomes(guarded(settings), [command(seed, crawl=True, max_depth=1)])
    assert reason(got[seed]) == "fetched"
    assert web.hits(SITEMAP_HOST).count("/sitemap.xml") == 1
    assert web.hits(SECRET_HOST) == []
    assert await leaks(settings) == []


async def test_subresources_aimed_at_an_internal_host_are_blocked_and_the_page_kept(
    settings: Settings, web: w.Web
) -> None:
    url = web.url(ATTACKER, "/subresources")
    got = await outcomes(guarded(settings), [command(url, use_playwright="always")])
    page = got[url]
    assert isinstance(page, PageFetched) and page.renderer == "browser", page
    assert "workshop" in (settings.data_dir / page.html_key).read_text()
    assert web.hits(SECRET_HOST) == []
    assert await leaks(settings) == []


async def test_a_rebinding_name_is_fetched_from_the_address_that_was_checked(
    settings: Settings, web: w.Web
) -> None:
    """`localhost` answers the guard with an allowed address once, then with the secret host;
    the system resolver says 127.0.0.1, where the secret also listens. Neither httpx nor
    Chromium may look again."""
    answers = iter([[ATTACKER]])

    async def rebinding(host: str, port: int) -> list[str]:
        return next(answers, [SECRET_HOST])

    urls = {
        f"http://localhost:{web.port}/ok": {},
        f"http://localhost:{web.port}/js": {"use_playwright": "always"},
    }
    got = await outcomes(guarded(settings), [command(u, **o) for u, o in urls.items()], rebinding)
    assert {u: reason(o) for u, o in got.items()} == dict.fromkeys(urls, "fetched")
    rendered = got[f"http://localhost:{web.port}/js"]
    assert isinstance(rendered, PageFetched) and rendered.renderer == "browser"
    assert "workshop" in (settings.data_dir / rendered.html_key).read_text()
    assert web.hits(SECRET_HOST) == [] and web.hits("127.0.0.1") == []
    assert await leaks(settings) == []


async def test_httpx_connects_only_to_the_address_the_guard_answered_and_checked(
    settings: Settings, web: w.Web
) -> None:
    """A name no system resolver knows is reached at the guard's answer; a forbidden answer
    stops the connection itself, with no gate in front of it."""
    answer = [ATTACKER]

    async def resolver(host: str, port: int) -> list[str]:
        return answer

    guard = Guard(guarded(settings).allowed_networks, resolver, ttl_s=0)
    async with pinned_client(guard, "probe") as client:
        reached = await client.get(f"http://rebind.test:{web.port}/ok")
        answer = [SECRET_HOST]
        with pytest.raises(Refused, match="ssrf_refused"):
            await client.get(f"http://other.test:{web.port}/")  # a new connection
    assert reached.status_code == 200 and "workshop" in reached.text
    assert web.headers(ATTACKER, "/ok")[-1]["Host"] == f"rebind.test:{web.port}"
    assert web.hits(SECRET_HOST) == []
