"""A user's template as data: prompt parts, declared params, the item schema and field mapping."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from shared.contract.templates.sandbox import MAX_SOURCE_CHARS

# A name is also a file name, a dataset tag and part of `name@version`.
TemplateName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_-]{0,39}$")]
FieldName = Annotated[str, StringConstraints(min_length=1, max_length=64)]
ParamName = Annotated[str, StringConstraints(pattern=r"^[a-z_][a-z0-9_]{0,39}$")]
Source = Annotated[str, StringConstraints(min_length=1, max_length=MAX_SOURCE_CHARS)]
MAX_SCHEMA_CHARS = 16_000
MAX_PARAMS = 20
MAX_DEFAULT_CHARS = 4_000
MAX_DEPTH = 32  # of a schema, a sample or a default: deeper would strain recursive readers
# Names the render context and the factory's call already use.
RESERVED_PARAMS = frozenset({"text", "n", "schema", "chunk_text", "range", "loop"})


def nesting(value: Any) -> int:
    """Levels of lists and mappings in `value` (a scalar has none), counted without recursion
    and no further than one past MAX_DEPTH, so a hostile nesting costs little to refuse."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list | tuple):
            deepest = max(deepest, level)
            children = item.values() if isinstance(item, dict) else item
            if level <= MAX_DEPTH:
                stack.extend((child, level + 1) for child in children)
    return deepest


def _bounded_json(value: Any, limit: int) -> None:
    if nesting(value) > MAX_DEPTH:
        raise ValueError(f"nested deeper than {MAX_DEPTH} levels")
    if len(json.dumps(value, default=str)) > limit:
        raise ValueError(f"longer than {limit} characters as JSON")


def refuse_reserved(names: Iterable[str], reserved: frozenset[str], why: str) -> None:
    """Raises ValueError naming each of `names` that is reserved, and why."""
    taken = sorted(reserved.intersection(names))
    if taken:
        raise ValueError(f"{', '.join(taken)}: {why}")


class _Spec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ParamSpec(_Spec):
    type: Literal["string", "integer", "number", "boolean", "list"] = "string"
    default: Any  # required: a job that names no value gets this one
    description: str = Field(default="", max_length=500)

    @field_validator("default")
    @classmethod
    def _small(cls, value: Any) -> Any:
        _bounded_json(value, MAX_DEFAULT_CHARS)  # it goes into every prompt of a job
        return value


class ChatMapping(_Spec):
    """How an item reads in the chat formats (OpenAI messages, ShareGPT, Alpaca): the system
    turn's text, and the fields of the user turn, its context and the assistant's reply.
    A field left out falls back to the example's input (user) and output (assistant)."""

    system: str | None = Field(default=None, max_length=4_000)
    user: FieldName | None = None
    context: FieldName | None = None
    assistant: FieldName | None = None


class FieldMapping(_Spec):
    """Which fields of an answer item become the example's `input` and `output`."""

    input: FieldName
    output: FieldName
    chat: ChatMapping = ChatMapping()

    def fields(self) -> list[str]:
        chat = [self.chat.user, self.chat.context, self.chat.assistant]
        return [self.input, self.output, *(name for name in chat if name)]


class TemplateSpec(_Spec):
    """`output_schema` is the JSON Schema of one item; the LLM answers `{"items": [...]}`.
    `version` is set when the template is saved: 0 names a one-off template a job carries."""

    name: TemplateName
    description: str = Field(default="", max_length=500)
    system: Source
    user: Source
    params: dict[ParamName, ParamSpec] = Field(default={}, max_length=MAX_PARAMS)
    output_schema: dict[str, Any]
    mapping: FieldMapping
    sample: dict[str, Any] | None = None  # one item that fits the schema, for dry runs
    version: int = Field(default=0, ge=0)

    @field_validator("output_schema", "sample")
    @classmethod
    def _bounded(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is not None:
            _bounded_json(value, MAX_SCHEMA_CHARS)
        return value

    @field_validator("params")
    @classmethod
    def _not_reserved(cls, value: dict[str, ParamSpec]) -> dict[str, ParamSpec]:
        refuse_reserved(value, RESERVED_PARAMS, "reserved for the render context")
        return value

    @property
    def ref(self) -> str:
        return f"{self.name}@{self.version}" if self.version else self.name
