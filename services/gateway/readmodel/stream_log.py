"""Reads the event log: every stream from given positions, merged in entry-id order."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from redis.asyncio import Redis

from shared.contract import streams
from shared.contract.streams import entry_key

Entry = tuple[str, str, Any]  # stream, entry id, raw fields
ORIGIN = "0-0"
_ORDER = {name: i for i, name in enumerate(streams.ALL_STREAMS)}


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _pairs(reply: Any) -> Iterable[tuple[Any, Any]]:
    """XREAD replies are a list of [stream, entries] (RESP2) or a dict (RESP3)."""
    if isinstance(reply, dict):
        return list(reply.items())
    return [(name, entries) for name, entries in reply or []]


async def read_batch(
    redis: Redis, positions: Mapping[str, str], count: int, block_ms: int | None
) -> list[Entry]:
    """Up to `count` entries per stream after `positions`, oldest first across streams."""
    after: dict[Any, Any] = dict(positions)
    reply = await redis.xread(after, count=count, block=block_ms)
    entries = [
        (_text(name), _text(entry_id), fields)
        for name, items in _pairs(reply)
        for entry_id, fields in items
    ]
    return sorted(entries, key=lambda e: (*entry_key(e[1]), _ORDER.get(e[0], 0)))


async def tips(redis: Redis) -> dict[str, str]:
    """The id of the newest entry on each stream of the log right now."""
    async with redis.pipeline(transaction=False) as pipe:
        for stream in streams.ALL_STREAMS:
            pipe.xrevrange(stream, count=1)
        replies = await pipe.execute()
    return {
        stream: _text(reply[0][0]) if reply else ORIGIN
        for stream, reply in zip(streams.ALL_STREAMS, replies, strict=True)
    }


def reached(positions: Mapping[str, str], targets: Mapping[str, str]) -> bool:
    return all(entry_key(positions.get(s, ORIGIN)) >= entry_key(t) for s, t in targets.items())
