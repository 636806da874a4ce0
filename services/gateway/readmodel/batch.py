"""Applies a batch of log entries in the caller's transaction; what fails is recorded, not lost.

The whole batch is tried as one plan. If that fails for any reason but the database itself
(an OperationalError, which the caller retries), each event is re-applied alone in a savepoint
so that one bad event costs only its own rows; each failure becomes a `projection_failures`
row. An event's failure depends only on the event, so a replay records the same rows.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy.dialects.sqlite import insert
from sqlalchemy.exc import OperationalError, StatementError
from sqlalchemy.ext.asyncio import AsyncConnection

from services.gateway.readmodel.ledger import projection_failures
from services.gateway.readmodel.projections import project
from services.gateway.readmodel.stream_log import Entry
from services.gateway.readmodel.writes import Plan, execute
from shared.contract import wire
from shared.contract.events import AnyEvent, parse_event

log = logging.getLogger("datafactory.gateway.projector")

MAX_ERROR_CHARS = 2000
_RECORD = insert(projection_failures).on_conflict_do_nothing()


@dataclass(frozen=True)
class Parsed:
    stream: str
    entry_id: str
    event: AnyEvent


def _describe(exc: BaseException) -> str:
    """The error without SQLAlchemy's statement dump, so the text stays short and stable."""
    cause = exc.orig if isinstance(exc, StatementError) and exc.orig is not None else exc
    return f"{type(cause).__name__}: {cause}"[:MAX_ERROR_CHARS]


def _failure(stream: str, entry_id: str, exc: BaseException, **known: Any) -> dict[str, Any]:
    row = {"stream": stream, "entry_id": entry_id, "error": _describe(exc)}
    row |= {"event_id": None, "event_type": None, "job_id": None} | known
    log.error("entry %s on %s not projected: %s", entry_id, stream, row["error"])
    return row


def _salvage(raw: Any) -> dict[str, Any]:
    """Whatever identifies a malformed entry's event, if its JSON says."""
    try:
        data = json.loads(wire.decode_fields(raw))
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    names = {"event_id": "event_id", "event_type": "type", "job_id": "job_id"}
    return {column: str(data[key]) for column, key in names.items() if key in data}


def _identity(item: Parsed) -> dict[str, Any]:
    e = item.event
    return {"event_id": e.event_id, "event_type": e.type, "job_id": e.job_id or None}


def parse(entries: list[Entry]) -> tuple[list[Parsed], list[dict[str, Any]]]:
    """The entries' events, and a failure row for each entry that is not an event."""
    parsed, failures = [], []
    for stream, entry_id, raw in entries:
        try:
            parsed.append(Parsed(stream, entry_id, parse_event(wire.decode_fields(raw))))
        except ValueError as exc:  # pydantic's ValidationError is a ValueError
            failures.append(_failure(stream, entry_id, exc, **_salvage(raw)))
    return parsed, failures


def _plan(items: list[Parsed]) -> Plan:
    plan = Plan()
    for item in items:
        plan.add(project(item.event))
    return plan


async def apply_alone(conn: AsyncConnection, item: Parsed) -> dict[str, Any] | None:
    """Applies one event in a savepoint; returns its failure row if it failed."""
    try:
        async with conn.begin_nested():
            await execute(conn, _plan([item]))
    except OperationalError:
        raise
    except Exception as exc:
        return _failure(item.stream, item.entry_id, exc, **_identity(item))
    return None


async def apply(conn: AsyncConnection, entries: list[Entry]) -> tuple[int, int, set[str] | None]:
    """Applies what it can; returns (events applied, entries recorded as failed, the jobs
    whose rows it may have changed: None when that may be any job's, as a project's event
    changes the name its jobs show and a failure the count of their unapplied events)."""
    parsed, failures = parse(entries)
    try:
        async with conn.begin_nested():
            await execute(conn, _plan(parsed))
    except OperationalError:
        raise
    except Exception:
        log.warning("a batch of %d events failed; applying them one by one", len(parsed))
        found = [await apply_alone(conn, item) for item in parsed]
        failures += [row for row in found if row is not None]
    if failures:
        await conn.execute(_RECORD, failures)
    failed_events = len(failures) - (len(entries) - len(parsed))
    touched = {item.event.job_id for item in parsed}
    changed = None if failures or "" in touched else touched
    return len(parsed) - failed_events, len(failures), changed
