"""Pure rows of every export format, made from a staged row (`records.row`).

JSON and JSONL write the export record rendered at staging; CSV and Parquet the flat columns;
the chat formats the example's turns, which its template decides (`Template.turns`)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import orjson

from services.shipper.records import Row
from shared.config import ExportFormat
from shared.templates import Turns, UnknownTemplateError, get_template

FileKind = Literal["jsonl", "json", "csv", "parquet"]


@functools.cache
def _turns_of(template: str) -> Callable[[str, str, dict[str, Any]], Turns]:
    try:
        return get_template(template).turns
    except UnknownTemplateError:  # a template this version does not know: plain turns
        return lambda input, output, fields: Turns("", input, "", output)


def turns(row: Row) -> Turns:
    of_template = _turns_of(row["template"])
    return of_template(row["input"], row["output"], orjson.loads(row["fields"]))


def _request(t: Turns) -> str:
    return f"{t.instruction}\n\n{t.input}" if t.input else t.instruction


def openai(row: Row) -> Row:
    """OpenAI chat fine-tuning: `messages` only, since the API refuses keys it does not know."""
    t = turns(row)
    system = [{"role": "system", "content": t.system}] if t.system else []
    return {
        "messages": [
            *system,
            {"role": "user", "content": _request(t)},
            {"role": "assistant", "content": t.output},
        ]
    }


def sharegpt(row: Row) -> Row:
    t = turns(row)
    system = [{"from": "system", "value": t.system}] if t.system else []
    conversation = [{"from": "human", "value": _request(t)}, {"from": "gpt", "value": t.output}]
    return {"id": row["id"], "conversations": system + conversation, **_provenance(row)}


def alpaca(row: Row) -> Row:
    t = turns(row)
    parts = {"instruction": t.instruction, "input": t.input, "output": t.output}
    return {"id": row["id"], **parts, "system": t.system, **_provenance(row)}


def provenance(row: Row) -> Row:
    """A chat record's origin, for the sidecar file beside an OpenAI file (same line order)."""
    return {"id": row["id"], **_provenance(row)}


def _provenance(row: Row) -> Row:
    # The metadata's JSON was rendered at staging: embedded as it is, never parsed again.
    return {"template": row["template"], "metadata": orjson.Fragment(row["metadata"])}


@dataclass(frozen=True)
class Format:
    name: ExportFormat
    kind: FileKind
    row: Callable[[Row], Row] | None  # of a staged row; None: written from its columns
    sidecar: bool = False  # its rows cannot carry provenance: a provenance file goes beside

    @property
    def extension(self) -> str:
        return "jsonl" if self.kind == "jsonl" else self.kind


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("jsonl", "jsonl", None),
        Format("json", "json", None),
        Format("csv", "csv", None),
        Format("parquet", "parquet", None),
        Format("openai", "jsonl", openai, sidecar=True),
        Format("sharegpt", "jsonl", sharegpt),
        Format("alpaca", "jsonl", alpaca),
    )
}
