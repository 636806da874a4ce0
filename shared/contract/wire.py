"""Stream entry encoding shared with FastStream's parser (a JSON envelope under `__data__`)."""

from __future__ import annotations

import json
from typing import Any

from shared.contract.events import Event

DATA_FIELD = "__data__"


def encode(event: Event) -> str:
    return json.dumps(
        {"data": event.model_dump_json(), "headers": {"content-type": "application/json"}}
    )


def decode_fields(fields: dict[Any, Any]) -> bytes:
    """The event JSON of a raw stream entry as read by redis-py."""
    raw = fields.get(DATA_FIELD.encode(), fields.get(DATA_FIELD))
    if raw is None:
        raise ValueError("stream entry has no __data__ field")
    text = raw.decode() if isinstance(raw, bytes) else str(raw)
    try:
        envelope = json.loads(text)
    except json.JSONDecodeError:
        return text.encode()
    if isinstance(envelope, dict) and isinstance(envelope.get("data"), str):
        return str(envelope["data"]).encode()
    return text.encode()
