"""robots.txt per origin, parsed with protego and cached in Redis for every replica.

It is fetched like a page (every hop guarded, connections pinned, body capped before and after
decompression) under one deadline for the whole download, redirects included."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

import httpx
from protego import Protego
from redis.asyncio import Redis

from services.spider.fetch import FetchFailed, fetch
from services.spider.guard import Guard, Refused

log = logging.getLogger(__name__)
ROBOTS_TTL_S = 3600
MAX_ROBOTS_BYTES = 512_000
ROBOTS_DEADLINE_S = 10.0
# RFC 9309: an unreachable robots.txt (5xx, network error) means "disallow everything".
_DISALLOW_ALL = "User-agent: *\nDisallow: /\n"


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


async def _download(client: httpx.AsyncClient, guard: Guard, origin: str, within: float) -> str:
    try:
        async with asyncio.timeout(within):
            got = await fetch(
                client, f"{origin}/robots.txt", _gate(guard), MAX_ROBOTS_BYTES, within
            )
    except FetchFailed as exc:
        if exc.reason.startswith("http_4") and exc.reason != "http_429":
            return ""  # no robots.txt: everything allowed
        # Unreachable, refused, too big or too slow: RFC 9309 says assume "disallow all".
        log.warning("robots.txt of %s unusable (%s: %s)", origin, exc.reason, exc.detail)
        return _DISALLOW_ALL
    except TimeoutError:
        log.warning("robots.txt of %s not complete within %ss", origin, within)
        return _DISALLOW_ALL
    return got.body.decode("utf-8", errors="replace")


def _gate(guard: Guard) -> Callable[[str], Awaitable[None]]:
    async def gate(url: str) -> None:
        try:
            await guard.check(url)
        except Refused as exc:
            raise FetchFailed(exc.reason, exc.detail) from None

    return gate


# Parsed rules a replica keeps in memory: most pages of a job share a few origins, and a
# Redis read plus a parse per page costs more than the page's own analysis.
LOCAL_TTL_S = 60.0
LOCAL_ORIGINS = 1024


class RobotsCache:
    def __init__(self, redis: Redis, client: httpx.AsyncClient, guard: Guard) -> None:
        self.redis, self.client, self.guard = redis, client, guard
        self._local: OrderedDict[str, tuple[float, Protego]] = OrderedDict()

    async def rules(self, url: str, within: float = ROBOTS_DEADLINE_S) -> Protego:
        """The origin's rules; a download takes at most `within` seconds (redirects included)."""
        origin = origin_of(url)
        found = self._local.get(origin)
        if found is not None and found[0] > time.monotonic():
            return found[1]
        rules = await self._shared(origin, min(within, ROBOTS_DEADLINE_S))
        self._local[origin] = (time.monotonic() + LOCAL_TTL_S, rules)
        self._local.move_to_end(origin)
        while len(self._local) > LOCAL_ORIGINS:
            self._local.popitem(last=False)
        return rules

    async def _shared(self, origin: str, within: float) -> Protego:
        """The origin's robots.txt as every replica sees it: fetched once, kept in Redis."""
        key = f"df:robots:{origin}"
        cached = await self.redis.get(key)
        if cached is None:
            text = await _download(self.client, self.guard, origin, within)
            await self.redis.set(key, text, ex=ROBOTS_TTL_S)
        else:
            text = cached.decode() if isinstance(cached, bytes) else str(cached)
        return Protego.parse(text)
