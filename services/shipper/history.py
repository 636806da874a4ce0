"""Reads a job's facts from the log: `df:events` backwards from its tip to the job's submission.

The shipper shares only Redis and blob storage with the other stages, so the card's figures
about fetching, refining and generation come from the log itself, not from the gateway's read
models. Every fact of a job is on the log before its JobCompleted (the commit that settles the
job's last item emits it), so the same log gives the same figures however often it is read."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from redis.asyncio import Redis

from services.shipper.facts import JobFacts
from shared.contract import streams, wire
from shared.contract.events import JobSubmitted, parse_event
from shared.contract.streams import entry_key
from shared.ops import log_archive

PAGE = 2000


def text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def raw(fields: dict[Any, Any]) -> bytes:
    raw = fields.get(wire.DATA_FIELD.encode(), fields.get(wire.DATA_FIELD, b""))
    return raw if isinstance(raw, bytes) else str(raw).encode()


def _add(facts: JobFacts, fields: Any, job_id: str) -> bool:
    """Adds the entry if it is the job's; True once it is the job's submission."""
    if job_id.encode() not in raw(fields):
        return False  # another job's: not worth parsing
    try:
        event = parse_event(wire.decode_fields(fields))
    except ValueError:  # an entry no reader can parse; the projector records it
        return False
    if event.job_id != job_id:
        return False
    facts.add(event)
    return isinstance(event, JobSubmitted)


async def job_facts(redis: Redis, job_id: str, data_dir: Path) -> JobFacts:
    """Pages through the log newest first; entries of other jobs are skipped unparsed. A job
    older than what Redis still holds is finished from the log's archive."""
    facts, end, oldest = JobFacts(), "+", None
    while True:
        page: list[Any] = await redis.xrevrange(streams.EVENTS, end, "-", count=PAGE + 1) or []
        for entry_id, fields in page[:PAGE]:
            oldest = text(entry_id)
            if _add(facts, fields, job_id):
                return facts
        if len(page) <= PAGE:
            break
        end = text(page[PAGE][0])
    # The archive holds what was trimmed (and, after a crash, maybe a few entries again).
    for _, entry_id, fields in log_archive.read(data_dir, streams.EVENTS):
        if oldest is not None and entry_key(entry_id) >= entry_key(oldest):
            break
        _add(facts, fields, job_id)
    return facts
