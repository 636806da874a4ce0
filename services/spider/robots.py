"""robots.txt per origin, parsed with protego and cached in Redis for every replica."""

from __future__ import annotations

import time
from collections import OrderedDict
from urllib.parse import urlsplit

import httpx
from protego import Protego
from redis.asyncio import Redis

from services.spider.decode import Decompressor, TooLarge

ROBOTS_TTL_S = 3600
_MAX_ROBOTS_BYTES = 512_000
# RFC 9309: an unreachable robots.txt (5xx, network error) means "disallow everything".
_DISALLOW_ALL = "User-agent: *\nDisallow: /\n"


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


async def _download(client: httpx.AsyncClient, origin: str) -> str:
    try:
        response = await client.get(f"{origin}/robots.txt", timeout=10, follow_redirects=True)
    except httpx.HTTPError:
        return _DISALLOW_ALL
    if response.status_code >= 500 or response.status_code == 429:
        return _DISALLOW_ALL
    if response.status_code >= 400:
        return ""  # no robots.txt: everything allowed
    try:
        body = Decompressor("identity", _MAX_ROBOTS_BYTES).feed(response.content)
    except TooLarge:
        body = response.content[:_MAX_ROBOTS_BYTES]
    return body.decode("utf-8", errors="replace")


# Parsed rules a replica keeps in memory: most pages of a job share a few origins, and a
# Redis read plus a parse per page costs more than the page's own analysis.
LOCAL_TTL_S = 60.0
LOCAL_ORIGINS = 1024


class RobotsCache:
    def __init__(self, redis: Redis, client: httpx.AsyncClient) -> None:
        self.redis, self.client = redis, client
        self._local: OrderedDict[str, tuple[float, Protego]] = OrderedDict()

    async def rules(self, url: str) -> Protego:
        origin = origin_of(url)
        found = self._local.get(origin)
        if found is not None and found[0] > time.monotonic():
            return found[1]
        rules = await self._shared(origin)
        self._local[origin] = (time.monotonic() + LOCAL_TTL_S, rules)
        self._local.move_to_end(origin)
        while len(self._local) > LOCAL_ORIGINS:
            self._local.popitem(last=False)
        return rules

    async def _shared(self, origin: str) -> Protego:
        """The origin's robots.txt as every replica sees it: fetched once, kept in Redis."""
        key = f"df:robots:{origin}"
        cached = await self.redis.get(key)
        if cached is None:
            text = await _download(self.client, origin)
            await self.redis.set(key, text, ex=ROBOTS_TTL_S)
        else:
            text = cached.decode() if isinstance(cached, bytes) else str(cached)
        return Protego.parse(text)
