"""Poison entries: what a stage cannot handle goes to `<stream>.dead` with a reason, and,
when it belongs to a job, counts as that job's failed item, so the job still completes."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError

from shared import secrets
from shared.contract import streams, wire
from shared.contract.events import EVENT_TYPES, Event, Unreadable
from shared.runtime.commit import Settle
from shared.runtime.stage import StageSpec, failure

log = logging.getLogger("datafactory.runtime")


def salvage(fields: Any) -> Event | None:
    """What an invalid entry still says about its job: a work item whose payload does not
    validate must still be counted as failed, or its job would never complete."""
    try:
        data = json.loads(wire.decode_fields(fields))
        cls = EVENT_TYPES[str(data["type"])]
        return Unreadable(event_id=str(data["event_id"]), job_id=str(data["job_id"]), item=cls)
    except (ValueError, KeyError, TypeError, ValidationError):
        return None


def dead_letter(
    spec: StageSpec,
    entry_id: str,
    fields: Any,
    event: Event | None,
    reason: str,
    known: Sequence[str] = (),
) -> Settle:
    """Settles a poison entry: a copy on the dead-letter stream and, for an item of a job,
    its failure outcome, so the job is still accounted for. The reason (often an error's
    text) is redacted of the process's secrets, `known` ones included."""
    reason = secrets.redact(reason, known)
    log.error("%s: dead-lettering %s: %s", spec.name, entry_id, reason)
    emits = [failure(spec.name, event, "dead_letter", reason)] if event else []
    try:
        data = wire.decode_fields(fields).decode(errors="replace")
    except ValueError:
        data = repr(fields)[:10_000]
    payload = json.dumps({"data": data, "headers": {"reason": reason[:500]}})
    outputs = [(streams.dead_letter(spec.stream), payload)]
    tallied = bool(event and event.tallied)
    return Settle(entry_id, event.job_id if event else None, tallied, emits, outputs)
