"""One polite HTTP fetch: manual redirects checked hop by hop, capped body, timeouts."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin

import httpx

from services.spider.decode import Decompressor, TooLarge, Undecodable
from services.spider.guard import Refused
from shared.contract.urls import normalise

MAX_REDIRECTS = 5
Gate = Callable[[str], Awaitable[None]]  # raises to refuse a hop (SSRF, robots, rate limit)


class FetchFailed(Exception):
    def __init__(
        self, reason: str, detail: str, retryable: bool = False, retry_after: float | None = None
    ) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason, self.detail = reason, detail
        self.retryable, self.retry_after = retryable, retry_after


@dataclass(frozen=True)
class Fetched:
    final_url: str
    status_code: int
    content_type: str
    body: bytes
    redirects: tuple[str, ...]


def retry_after(value: str | None) -> float | None:
    if not value:
        return None
    if value.strip().isdigit():
        return float(value)
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


async def _read(response: httpx.Response, limit: int) -> bytes:
    if int(response.headers.get("content-length") or 0) > limit:
        raise FetchFailed("too_large", f"content-length {response.headers['content-length']}")
    inflate = Decompressor(response.headers.get("content-encoding", "identity"), limit)
    parts = []
    try:
        async for chunk in response.aiter_raw():
            parts.append(inflate.feed(chunk))
    except TooLarge as exc:
        raise FetchFailed("too_large", str(exc)) from None
    except Undecodable as exc:
        raise FetchFailed("bad_encoding", str(exc)) from None
    return b"".join(parts)


def _status_failure(response: httpx.Response) -> FetchFailed | None:
    code = response.status_code
    if code == 429:
        wait = retry_after(response.headers.get("retry-after"))
        return FetchFailed("http_429", "too many requests", True, wait)
    if code >= 500:
        return FetchFailed("http_5xx", f"status {code}", True)
    if code >= 400:
        return FetchFailed(f"http_{code}", f"status {code}")
    return None


async def _hop(client: httpx.AsyncClient, url: str, limit: int) -> tuple[httpx.Response, bytes]:
    request = client.build_request("GET", url, headers={"Accept-Encoding": "gzip, deflate"})
    response = await client.send(request, stream=True)
    try:
        if failure := _status_failure(response):
            raise failure
        body = b"" if response.is_redirect else await _read(response, limit)
        return response, body
    finally:
        await response.aclose()


async def fetch(
    client: httpx.AsyncClient, url: str, gate: Gate, limit: int, total_s: float
) -> Fetched:
    """GETs `url`, following at most five redirects; each hop passes the gate first.

    `total_s` bounds each request from connect to the body's last byte (a slowloris gets no
    more); waiting at the gate for the rate limit is not counted."""
    seen: list[str] = []
    while True:
        await gate(url)
        response, body = await _timed_hop(client, url, limit, total_s)
        if not response.is_redirect:
            kind = response.headers.get("content-type", "")
            return Fetched(url, response.status_code, kind, body, tuple(seen))
        seen.append(url)
        url = _next(url, response.headers.get("location", ""))
        if url in seen:
            raise FetchFailed("redirect_loop", " -> ".join([*seen, url]))
        if len(seen) > MAX_REDIRECTS:
            raise FetchFailed("too_many_redirects", " -> ".join(seen))


def _next(url: str, location: str) -> str:
    """The redirect's target in canonical form: credentials dropped, length capped."""
    try:
        return normalise(urljoin(url, location))
    except ValueError as exc:
        raise FetchFailed("invalid_redirect", f"{location[:200]!r}: {exc}") from None


async def _timed_hop(
    client: httpx.AsyncClient, url: str, limit: int, total_s: float
) -> tuple[httpx.Response, bytes]:
    try:
        async with asyncio.timeout(total_s):
            return await _hop(client, url, limit)
    except TimeoutError:
        raise FetchFailed("timeout", f"no complete response within {total_s}s", True) from None
    except Refused as exc:  # the connection's own check: the name resolved to a forbidden address
        raise FetchFailed(exc.reason, exc.detail) from None
    except httpx.InvalidURL as exc:
        raise FetchFailed("invalid_url", str(exc)) from None
    except httpx.TimeoutException as exc:
        raise FetchFailed("timeout", repr(exc), True) from None
    except httpx.HTTPError as exc:
        raise FetchFailed("connect_error", repr(exc), True) from None
