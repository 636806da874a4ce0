"""robots.txt per origin, parsed with protego and cached in Redis for every replica."""

from __future__ import annotations

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


class RobotsCache:
    def __init__(self, redis: Redis, client: httpx.AsyncClient) -> None:
        self.redis, self.client = redis, client

    async def rules(self, url: str) -> Protego:
        origin = origin_of(url)
        key = f"df:robots:{origin}"
        cached = await self.redis.get(key)
        if cached is None:
            text = await _download(self.client, origin)
            await self.redis.set(key, text, ex=ROBOTS_TTL_S)
        else:
            text = cached.decode() if isinstance(cached, bytes) else str(cached)
        return Protego.parse(text)
