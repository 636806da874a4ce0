"""A project's earlier exports, for duplicate removal across its jobs
(`quality.dedup_scope: project`): the examples that each job of the project exported before
this export was asked for (its ExportWritten is older in the log) stay, and this job's copies
of them go. What each kept is its passed staged rows less its `rejected.jsonl`."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, TypeGuard

import orjson
import pyarrow as pa
import pyarrow.compute as pc
from redis.asyncio import Redis

from services.shipper import columns, dedup, history, staging
from shared.contract import streams, wire
from shared.contract.events import ExportWritten, JobSubmitted, parse_event
from shared.contract.streams import entry_key
from shared.ops import log_archive
from shared.storage.blobs import Storage

PAGE = 2000


async def earlier_exports(
    redis: Redis, data_dir: Path, project_id: str, job_id: str, before: datetime
) -> dict[str, ExportWritten]:
    """The latest export of each other job of the project written for a request older than
    `before`: the log's archive first (what Redis no longer holds), then Redis past it."""
    seen = _Seen(project_id, job_id, before)
    last = (0, 0)
    for _, entry_id, fields in log_archive.read(data_dir, streams.EVENTS):
        last = entry_key(entry_id)
        seen.add(fields)
    start = "-"
    while True:
        page: list[Any] = await redis.xrange(streams.EVENTS, start, "+", count=PAGE) or []
        for entry_id, fields in page:
            if entry_key(history.text(entry_id)) > last:
                seen.add(fields)
        if len(page) < PAGE:
            return seen.found
        start = "(" + history.text(page[-1][0])


class _Seen:
    """The project's jobs and their exports, as the log's entries go by."""

    def __init__(self, project_id: str, job_id: str, before: datetime) -> None:
        self.project_id, self.job_id, self.before = project_id, job_id, before
        self.members: set[str] = set()
        self.found: dict[str, ExportWritten] = {}

    def add(self, fields: dict[Any, Any]) -> None:
        raw = history.raw(fields)
        if b"JobSubmitted" not in raw and b"ExportWritten" not in raw:
            return  # most entries: not worth parsing
        try:
            event = parse_event(wire.decode_fields(fields))
        except ValueError:  # an entry no reader can parse; the projector records it
            return
        if isinstance(event, JobSubmitted) and event.project_id == self.project_id:
            self.members.add(event.job_id)
        elif _earlier(event, self.job_id, self.members, self.before):
            self.found[event.job_id] = event  # later ones replace earlier ones


def _earlier(
    event: object, job_id: str, members: set[str], before: datetime
) -> TypeGuard[ExportWritten]:
    return (
        isinstance(event, ExportWritten)
        and event.at < before
        and event.job_id != job_id
        and event.job_id in members
    )


def kept(storage: Storage, export: ExportWritten) -> Iterator[pa.Table]:
    """The staged rows the export kept, as passed rows of the job's staged tables."""
    folder = export.key.rsplit("/", 1)[0]
    try:
        lines = storage.get(f"{folder}/rejected.jsonl").splitlines()
    except FileNotFoundError:
        lines = []
    left_out = pa.array([orjson.loads(line)["id"] for line in lines], pa.string())
    base = staging.pulled(storage, export.job_id)
    for table in columns.read(base, export.job_id):
        if len(left_out):
            table = table.filter(pc.invert(pc.is_in(table["id"], left_out)))
        yield table


def pool_with(storage: Storage, exports: list[ExportWritten], own: dedup.Pool) -> dedup.Pool:
    """`own` after the examples the project's earlier exports kept, which nothing removes."""
    pool = dedup.Pool()
    for export in sorted(exports, key=lambda e: e.job_id):
        pool.extend(dedup.pool_of(kept(storage, export)), fixed=True)
    pool.extend(own)
    return pool
