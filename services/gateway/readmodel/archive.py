"""The log's old entries, moved out of Redis once every reader has passed them.

Redis keeps a bounded tail of each stream. Older entries go, in order, to JSON-lines files
under `<data_dir>/log/<stream>/` (entry id and payload), and a replay reads those first, so
dropping the database and replaying still gives the same rows. An entry leaves Redis only
once the projector and every consumer group of its stream have passed it (acked, not merely
delivered) and it is older than `keep_s`. A crash between writing a file and trimming
archives the same entries again; readers skip ids they have already seen."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from redis.asyncio import Redis

from shared.contract import streams
from shared.contract.streams import entry_key
from shared.ops import log_archive

log = logging.getLogger("datafactory.gateway.archive")

PAGE = 5000
MAX_SEQ = 2**64 - 1
Id = tuple[int, int]


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _before(entry_id: str) -> Id:
    ms, seq = entry_key(entry_id)
    return (ms, seq - 1) if seq else (ms - 1, MAX_SEQ)


async def passed(redis: Redis, stream: str, projected: str) -> Id:
    """The newest id every reader of `stream` has passed: the projector's position, each
    group's last delivered entry, and just before each group's oldest unacked one."""
    bound = entry_key(projected)
    groups = await redis.xinfo_groups(stream) if await redis.exists(stream) else []
    names = {_text(group["name"]) for group in groups}
    if stream in streams.WORK_STREAMS and _stage_of(stream) not in names:
        return (0, 0)  # its stage has not started yet: every entry is still to be read
    for group in groups:
        bound = min(bound, entry_key(_text(group["last-delivered-id"])))
        pending = await redis.xpending(stream, group["name"])
        if pending["pending"]:
            bound = min(bound, _before(_text(pending["min"])))
    return bound


def _stage_of(stream: str) -> str:
    return next(stage for stage, name in streams.STAGE_STREAM.items() if name == stream)


class Archiver:
    def __init__(
        self,
        redis: Redis,
        data_dir: Path,
        positions: Callable[[], dict[str, str]],
        keep_s: float,
    ) -> None:
        self._redis, self._data_dir, self._positions = redis, data_dir, positions
        self._keep_s = keep_s

    async def run(self, every_s: float) -> None:
        while True:
            await asyncio.sleep(every_s)
            try:
                if moved := await self.once():
                    log.info("archived %d log entries", moved)
            except Exception:
                log.exception("archiving failed; retrying later")

    async def once(self) -> int:
        moved = 0
        for stream in streams.ALL_STREAMS:
            projected = self._positions().get(stream, "0-0")
            upto = min(await passed(self._redis, stream, projected), self._age_bound())
            moved += await self._move(stream, upto)
        return moved

    def _age_bound(self) -> Id:
        return (int((time.time() - self._keep_s) * 1000), MAX_SEQ)

    async def _move(self, stream: str, upto: Id) -> int:
        if upto <= (0, 0):
            return 0
        moved, bound = 0, f"{upto[0]}-{upto[1]}"
        while page := await self._redis.xrange(stream, "-", bound, count=PAGE):
            entries = [(_text(entry_id), fields) for entry_id, fields in page]
            await asyncio.to_thread(_write, log_archive.folder(self._data_dir, stream), entries)
            ms, seq = entry_key(entries[-1][0])
            await self._redis.xtrim(stream, minid=f"{ms}-{seq + 1}", approximate=False)
            moved += len(entries)
        return moved


def _write(target: Path, entries: list[tuple[str, Any]]) -> None:
    """One file per move, written whole then renamed, named by its first id so files sort."""
    target.mkdir(parents=True, exist_ok=True)
    ms, seq = entry_key(entries[0][0])
    final = target / f"{ms:015d}-{seq:06d}.jsonl"
    tmp = final.with_suffix(".tmp")
    lines = (json.dumps({"id": i, "fields": log_archive.payload(f)}) for i, f in entries)
    tmp.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    tmp.replace(final)
