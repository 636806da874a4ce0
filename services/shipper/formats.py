"""Pure rows of every export format, made from a staged row (`records.row`).

JSON and JSONL write the export record rendered at staging; CSV and Parquet the flat columns;
the chat formats the example's turns, which its template decides (`Template.dialogue` for
OpenAI messages and ShareGPT, every turn of a conversation; `Template.turns` for Alpaca)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Literal, Protocol

import orjson

from services.shipper.records import Row
from shared.contract.config import ExportFormat, GenerationConfig
from shared.contract.templates import (
    ChatMessage,
    Template,
    Turns,
    UnknownTemplateError,
    template_for,
)

FileKind = Literal["jsonl", "json", "csv", "parquet"]


class Shape(Protocol):
    def __call__(self, row: Row, template: Template[Any] | None = None) -> Row: ...


def template_of(gen: GenerationConfig) -> Template[Any] | None:
    """The job's template, fixed in its config; None for one this version does not know."""
    try:
        return template_for(gen.template, gen.template_spec)
    except UnknownTemplateError:
        return None


@functools.cache
def _built_in(name: str) -> Template[Any] | None:
    return template_of(GenerationConfig(template=name))


def _fields(row: Row) -> tuple[str, str, dict[str, Any]]:
    return row["input"], row["output"], orjson.loads(row["fields"])


def turns(row: Row, template: Template[Any] | None = None) -> Turns:
    """`template`: the job's; without it the built-in the row names, else plain turns."""
    template = template or _built_in(row["template"])
    if template is None:
        return Turns("", row["input"], "", row["output"])
    return template.turns(*_fields(row))


def dialogue(row: Row, template: Template[Any] | None = None) -> list[ChatMessage]:
    """Every turn of the example: one exchange, or a whole conversation."""
    template = template or _built_in(row["template"])
    if template is None:
        said = [ChatMessage(role="user", content=row["input"])]
        return [*said, ChatMessage(role="assistant", content=row["output"])]
    return template.dialogue(*_fields(row))


def openai(row: Row, template: Template[Any] | None = None) -> Row:
    """OpenAI chat fine-tuning: `messages` only, since the API refuses keys it does not know."""
    return {"messages": [dict(m) for m in dialogue(row, template)]}


_SHAREGPT_ROLES = {"system": "system", "user": "human", "assistant": "gpt"}


def sharegpt(row: Row, template: Template[Any] | None = None) -> Row:
    said = [
        {"from": _SHAREGPT_ROLES[m["role"]], "value": m["content"]} for m in dialogue(row, template)
    ]
    return {"id": row["id"], "conversations": said, **_provenance(row)}


def alpaca(row: Row, template: Template[Any] | None = None) -> Row:
    t = turns(row, template)
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
    # Of a staged row and the job's template; None: written from its columns.
    row: Shape | None
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
