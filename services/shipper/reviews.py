"""Reviewers' verdicts applied to staged rows as an export reads them; pure.

An example's reviewed state is its latest review's verdict (approve and edit keep it, reject
drops it; a kept edit whose text fails `shared.contract.edits` is rejected) with its latest edit's
text, over the reviews made by the time the export was asked for, ordered by (`at`, event
id): so duplicates, redeliveries and a retried export give the same rows. The gateway's
results page shows the same state (`queries/examples.py`)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.compute as pc

from shared.contract.edits import faults
from shared.contract.events import ExampleReviewed

REVIEWER = "rejected by reviewer"


@dataclass(frozen=True)
class Decision:
    action: str  # the latest review's
    keep: bool
    note: str
    input: str | None = None  # the latest edit's text; None keeps the original
    output: str | None = None

    @property
    def edited(self) -> bool:
        return self.input is not None or self.output is not None


def decisions(reviews: Iterable[ExampleReviewed], until: datetime) -> dict[str, Decision]:
    """Each reviewed example's state from the reviews made by `until`."""
    made = {r.event_id: r for r in reviews if r.at <= until}
    found: dict[str, Decision] = {}
    for r in sorted(made.values(), key=lambda r: (r.at, r.event_id)):
        prior = found.get(r.example_id)
        text = (r.input, r.output) if r.action == "edit" else (None, None)
        if r.action != "edit" and prior is not None:
            text = (prior.input, prior.output)
        found[r.example_id] = Decision(r.action, r.action != "reject", r.note, *text)
    return found


def _metadata(meta: dict[str, Any], d: Decision, refused: list[str]) -> dict[str, Any]:
    reasons = [x for x in meta.pop("rejected_because", []) if x != REVIEWER]
    if not d.keep:
        meta["rejected_because"] = [*reasons, REVIEWER]
    elif refused:
        meta["rejected_because"] = refused
    review = {"action": d.action, "edited": d.edited} | ({"note": d.note} if d.note else {})
    return meta | {"review": review}


def _reviewed(row: dict[str, Any], d: Decision) -> dict[str, Any]:
    text = {
        "input": row["input"] if d.input is None else d.input,
        "output": row["output"] if d.output is None else d.output,
    }
    # A kept edit is scored again on its text, as the results page scores it.
    refused = faults(text["input"], text["output"]) if d.edited and d.keep else []
    keep = d.keep and not refused
    meta = _metadata(orjson.loads(row["metadata"]), d, refused)
    record = orjson.loads(row["record"])
    if d.edited:  # the template's parts describe the text as generated
        record.pop("fields", None)
        row["fields"] = "{}"
    record |= text | {"metadata": meta}
    kinds = ["edited"] if refused else [] if keep else sorted({*row["kinds"], "reviewer"})
    rendered = {"metadata": orjson.dumps(meta).decode(), "record": orjson.dumps(record).decode()}
    return row | text | rendered | {"passed": keep, "kinds": kinds}


def applied(chunks: Iterable[pa.Table], found: Mapping[str, Decision]) -> Iterator[pa.Table]:
    """The staged tables with the reviewed rows rewritten; a table without one as it is."""
    reviewed = pa.array(list(found), pa.string())
    for table in chunks:
        if not found or not pc.any(pc.is_in(table["id"], reviewed)).as_py():
            yield table
            continue
        rows = [_reviewed(r, found[r["id"]]) if r["id"] in found else r for r in table.to_pylist()]
        yield pa.Table.from_pylist(rows, schema=table.schema)
