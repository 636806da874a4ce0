"""The browser's egress proxy spoken to directly: CONNECT tunnels and plain requests pass the
guard, and one proxy connection never carries a second request to another host."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from ipaddress import ip_network

import pytest

from services.spider.guard import Guard
from services.spider.proxy import GuardedProxy
from tests.security import web as w
from tests.security.spider_probe import ALLOWED, SECRET_HOST

ALLOWED_HOST = ALLOWED[0]


@pytest.fixture(scope="module")
def web() -> Iterator[w.Web]:
    site = w.Web([ALLOWED_HOST, SECRET_HOST], [SECRET_HOST])
    site.routes[("*", "/ok")] = w.page(w.ARTICLE)
    yield site
    site.close()


def guard() -> Guard:
    return Guard([ip_network(f"{ALLOWED_HOST}/32")])


async def exchange(proxy: GuardedProxy, *messages: bytes) -> bytes:
    """Sends `messages` on one connection to the proxy; everything it answers until it closes."""
    host, port = proxy.url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    for message in messages:
        writer.write(message)
    async with asyncio.timeout(10):
        answer = await reader.read()
    writer.close()
    return answer


def get(url: str, host: str) -> bytes:
    return f"GET {url} HTTP/1.1\r\nHost: {host}\r\nProxy-Connection: keep-alive\r\n\r\n".encode()


async def test_a_tunnel_to_an_internal_host_is_refused_and_recorded(web: w.Web) -> None:
    async with GuardedProxy(guard()) as proxy:
        target = f"{SECRET_HOST}:{web.port}"
        answer = await exchange(
            proxy, f"CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n\r\n".encode()
        )
        refused = proxy.refusal(SECRET_HOST, web.port)
    assert answer.startswith(b"HTTP/1.1 403") and refused is not None
    assert refused.reason == "ssrf_refused"
    assert web.hits(SECRET_HOST) == []


async def test_a_tunnel_to_an_allowed_host_carries_its_bytes(web: w.Web) -> None:
    target = f"{ALLOWED_HOST}:{web.port}"
    inner = f"GET /ok HTTP/1.1\r\nHost: {target}\r\nConnection: close\r\n\r\n".encode()
    async with GuardedProxy(guard()) as proxy:
        answer = await exchange(proxy, f"CONNECT {target} HTTP/1.1\r\n\r\n".encode(), inner)
    assert answer.startswith(b"HTTP/1.1 200 Connection established")
    assert b"workshop" in answer


async def test_one_proxy_connection_carries_one_plain_request(web: w.Web) -> None:
    allowed, secret = web.url(ALLOWED_HOST, "/ok"), web.url(SECRET_HOST, "/")
    async with GuardedProxy(guard()) as proxy:
        answer = await exchange(proxy, get(allowed, ALLOWED_HOST), get(secret, SECRET_HOST))
    assert answer.count(b"HTTP/1.") == 1 and b"Connection: close" in answer
    assert b"workshop" in answer
    assert web.hits(SECRET_HOST) == []
