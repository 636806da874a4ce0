"""Pure rows of every export format, made from an export record.

JSON and JSONL write the record as it is; CSV and Parquet a flat row; the chat formats the
example's turns, which its template decides (`Template.turns`)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import orjson

from shared.config import ExportFormat
from shared.templates import Turns, UnknownTemplateError, get_template

Row = dict[str, Any]
FileKind = Literal["jsonl", "json", "csv", "parquet"]

TABULAR_COLUMNS = (
    "id",
    "input",
    "output",
    "template",
    "source_url",
    "document_id",
    "chunk_id",
    "model",
    "language",
    "simulated",
    "quality_score",
    "scores",
    "fields",
)
_META = ("source_url", "document_id", "chunk_id", "model", "language", "simulated")


@functools.cache
def _turns_of(template: str) -> Callable[[str, str, dict[str, Any]], Turns]:
    try:
        return get_template(template).turns
    except UnknownTemplateError:  # a template this version does not know: plain turns
        return lambda input, output, fields: Turns("", input, "", output)


def turns(record: Row) -> Turns:
    of_template = _turns_of(record["template"])
    return of_template(record["input"], record["output"], record.get("fields", {}))


def _request(t: Turns) -> str:
    return f"{t.instruction}\n\n{t.input}" if t.input else t.instruction


def tabular(record: Row) -> Row:
    """One flat row: what CSV cells and Parquet columns hold; nested values as JSON text."""
    meta = record["metadata"]
    row = {name: record[name] for name in ("id", "input", "output", "template")}
    row |= {name: meta[name] for name in _META}
    row["quality_score"] = meta["quality_score"]
    row["scores"] = orjson.dumps(meta["scores"]).decode()
    row["fields"] = orjson.dumps(record.get("fields", {})).decode()
    return row


def openai(record: Row) -> Row:
    """OpenAI chat fine-tuning: `messages` only, since the API refuses keys it does not know."""
    t = turns(record)
    system = [{"role": "system", "content": t.system}] if t.system else []
    return {
        "messages": [
            *system,
            {"role": "user", "content": _request(t)},
            {"role": "assistant", "content": t.output},
        ]
    }


def sharegpt(record: Row) -> Row:
    t = turns(record)
    system = [{"from": "system", "value": t.system}] if t.system else []
    conversation = [{"from": "human", "value": _request(t)}, {"from": "gpt", "value": t.output}]
    return {"id": record["id"], "conversations": system + conversation, **_provenance(record)}


def alpaca(record: Row) -> Row:
    t = turns(record)
    parts = {"instruction": t.instruction, "input": t.input, "output": t.output}
    return {"id": record["id"], **parts, "system": t.system, **_provenance(record)}


def provenance(record: Row) -> Row:
    """A chat record's origin, for the sidecar file beside an OpenAI file (same line order)."""
    return {"id": record["id"], **_provenance(record)}


def _provenance(record: Row) -> Row:
    return {"template": record["template"], "metadata": record["metadata"]}


@dataclass(frozen=True)
class Format:
    name: ExportFormat
    kind: FileKind
    row: Callable[[Row], Row] | None  # None: the record itself
    sidecar: bool = False  # its rows cannot carry provenance: a provenance file goes beside

    @property
    def extension(self) -> str:
        return "jsonl" if self.kind == "jsonl" else self.kind


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("jsonl", "jsonl", None),
        Format("json", "json", None),
        Format("csv", "csv", tabular),
        Format("parquet", "parquet", tabular),
        Format("openai", "jsonl", openai, sidecar=True),
        Format("sharegpt", "jsonl", sharegpt),
        Format("alpaca", "jsonl", alpaca),
    )
}
