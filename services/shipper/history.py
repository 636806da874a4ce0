"""Reads a job's facts from the log: `df:events` backwards from its tip to the job's submission.

The shipper shares only Redis and blob storage with the other stages, so the card's figures
about fetching, refining and generation come from the log itself, not from the gateway's read
models. Every fact of a job is on the log before its JobCompleted (the commit that settles the
job's last item emits it), so the same log gives the same figures however often it is read."""

from __future__ import annotations

from typing import Any

from redis.asyncio import Redis

from services.shipper.facts import JobFacts
from shared import streams, wire
from shared.events import JobSubmitted, parse_event

PAGE = 2000


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _raw(fields: dict[Any, Any]) -> bytes:
    raw = fields.get(wire.DATA_FIELD.encode(), fields.get(wire.DATA_FIELD, b""))
    return raw if isinstance(raw, bytes) else str(raw).encode()


async def job_facts(redis: Redis, job_id: str) -> JobFacts:
    """Pages through the log newest first; entries of other jobs are skipped unparsed."""
    facts, marker, end = JobFacts(), job_id.encode(), "+"
    while True:
        page: list[Any] = await redis.xrevrange(streams.EVENTS, end, "-", count=PAGE + 1) or []
        for _, fields in page[:PAGE]:
            if marker not in _raw(fields):
                continue
            try:
                event = parse_event(wire.decode_fields(fields))
            except ValueError:  # an entry no reader can parse; the projector records it
                continue
            if event.job_id != job_id:
                continue
            facts.add(event)
            if isinstance(event, JobSubmitted):
                return facts
        if len(page) <= PAGE:
            return facts  # the log's start: a job submitted without its event (tests)
        end = _text(page[PAGE][0])
