"""Queue figures read from Redis: each stream's length and dead letters, each consumer group's
lag and pending entries, and how far a reader at a given position is behind."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import ResponseError

from shared.contract import streams

# Counting entries after an id happens inside Redis: only the count crosses the network.
# Capped, so a huge backlog costs Redis a bounded moment per scrape.
_COUNT_AFTER = """
return #redis.call('XRANGE', KEYS[1], '(' .. ARGV[1], '+', 'COUNT', ARGV[2])
"""
COUNT_CAP = 100_000


@dataclass(frozen=True)
class GroupFigures:
    stream: str
    group: str
    lag: int  # entries no consumer of the group has been given yet
    pending: int  # given to a consumer, not yet acknowledged
    consumers: int


@dataclass(frozen=True)
class StreamFigures:
    stream: str
    length: int
    dead_letters: int  # entries on `<stream>.dead`


@dataclass(frozen=True)
class Behind:
    """How far a reader at `position` is behind the stream's newest entry."""

    stream: str
    entries: int
    seconds: float  # age of the oldest entry it has not read; 0 when caught up


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


async def count_after(redis: Redis, stream: str, entry_id: str) -> int:
    return int(await redis.eval(_COUNT_AFTER, 1, stream, entry_id, COUNT_CAP))


async def groups(redis: Redis, stream: str) -> list[GroupFigures]:
    """Redis 7 reports a group's lag; 6.2 (the embedded server) does not, and 7 answers nil
    after entries it cannot account for were trimmed: then the entries after the group's
    last delivered id are counted."""
    try:
        infos = await redis.xinfo_groups(stream)
    except ResponseError:  # no such stream yet
        return []
    found = []
    for info in infos:
        lag = info.get("lag")
        if lag is None:
            lag = await count_after(redis, stream, _text(info["last-delivered-id"]))
        name = _text(info["name"])
        found.append(GroupFigures(stream, name, int(lag), int(info["pending"]), info["consumers"]))
    return found


async def stream_sizes(redis: Redis) -> list[StreamFigures]:
    async with redis.pipeline(transaction=False) as pipe:
        for stream in streams.ALL_STREAMS:
            pipe.xlen(stream)
            pipe.xlen(streams.dead_letter(stream))
        sizes = await pipe.execute()
    return [
        StreamFigures(stream, int(sizes[2 * i]), int(sizes[2 * i + 1]))
        for i, stream in enumerate(streams.ALL_STREAMS)
    ]


async def behind(redis: Redis, stream: str, position: str) -> Behind:
    entries = await count_after(redis, stream, position)
    if not entries:
        return Behind(stream, 0, 0.0)
    oldest = await redis.xrange(stream, f"({position}", "+", count=1)
    born_ms = streams.entry_key(_text(oldest[0][0]))[0] if oldest else time.time() * 1000
    return Behind(stream, entries, max(0.0, time.time() - born_ms / 1000))
