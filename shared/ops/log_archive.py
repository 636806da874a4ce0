"""The log's archive: entries moved out of Redis, as JSON-lines files under
`<data_dir>/log/<stream>/`, in id order. The gateway writes it
(services/gateway/readmodel/archive.py); whoever replays the log reads it before the streams."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from shared.contract import wire
from shared.contract.streams import entry_key

Entry = tuple[str, str, Any]  # stream, entry id, raw fields


def folder(data_dir: Path, stream: str) -> Path:
    return data_dir / "log" / stream.replace(":", "_")


def payload(fields: Any) -> str:
    """The entry's `__data__` exactly as Redis held it."""
    raw = fields.get(wire.DATA_FIELD.encode(), fields.get(wire.DATA_FIELD, b""))
    return raw.decode() if isinstance(raw, bytes) else str(raw)


def read(data_dir: Path, stream: str) -> Iterator[Entry]:
    """The archived entries of `stream` in id order, each once (a file written again after
    a crash repeats ids already seen)."""
    seen = (0, 0)
    for path in sorted(folder(data_dir, stream).glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            if entry_key(record["id"]) > seen:
                seen = entry_key(record["id"])
                yield stream, record["id"], {wire.DATA_FIELD: record["fields"]}
