"""Publishes a command's events in the caller's transaction and reports where they landed.

Each command reports where its entries landed on the log, so that a route can wait for the
projector to pass them, and leaves a receipt that reads fall back to if the projector lags.
"""

from __future__ import annotations

from typing import Any

from shared.contract import wire
from shared.contract.events import Event
from shared.contract.streams import entry_key

Written = dict[str, str]  # stream -> id of the command's newest entry on it


async def publish(pipe: Any, entries: list[tuple[str, Event]]) -> Written:
    """Queues the entries last in `pipe`, runs it, and returns where they landed."""
    for stream, event in entries:
        pipe.xadd(stream, {wire.DATA_FIELD: wire.encode(event)})
    replies = (await pipe.execute())[-len(entries) :]
    written: Written = {}
    for (stream, _), reply in zip(entries, replies, strict=True):
        entry_id = reply.decode() if isinstance(reply, bytes) else str(reply)
        if stream not in written or entry_key(entry_id) > entry_key(written[stream]):
            written[stream] = entry_id
    return written
