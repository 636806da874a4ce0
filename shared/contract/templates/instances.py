"""A JSON value that fits a JSON Schema, its strings supplied by the caller: dry-run answers
of user templates, and the simulator's answers to them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shared.contract.templates.errors import TemplateError

Strings = Callable[[str], str]  # the field's path -> a string for it
_DEPTH = 6
# `minItems` is obeyed up to here: a sample of 1000 x 1000 nested arrays took 320 MB. A schema
# that asks for more fails its dry run, and its author declares a sample.
MAX_ARRAY_ITEMS = 10
MAX_VALUES = 2_000  # in one instance, wherever they are


def instance(schema: Any, strings: Strings, path: str = "") -> Any:
    """A value of `schema`: the first of an enum or a union, a constant, the smallest fitting
    number, one array item (or `minItems`, capped), and every property of an object. Raises
    TemplateError past MAX_VALUES values."""
    return _Filler(strings).value(schema, path, 0)


class _Filler:
    def __init__(self, strings: Strings) -> None:
        self.strings, self.left = strings, MAX_VALUES

    def value(self, schema: Any, path: str, depth: int) -> Any:
        self.left -= 1
        if self.left < 0:
            raise TemplateError(f"a sample of the schema has more than {MAX_VALUES} values")
        if not isinstance(schema, dict) or depth > _DEPTH:
            return self.strings(path)
        if "const" in schema:
            return schema["const"]
        if schema.get("enum"):
            return schema["enum"][0]
        for union in ("anyOf", "oneOf", "allOf"):
            if schema.get(union):
                return self.value(schema[union][0], path, depth + 1)
        kind = schema.get("type", "object" if "properties" in schema else "string")
        if isinstance(kind, list):
            kind = next((k for k in kind if k != "null"), "string")
        if kind == "array":
            return self.array(schema, path, depth)
        if kind == "object":
            return self.object(schema, path, depth)
        if kind in ("number", "integer"):
            return _number(schema, kind)
        return True if kind == "boolean" else self.strings(path)

    def array(self, schema: dict[str, Any], path: str, depth: int) -> list[Any]:
        wanted = schema.get("minItems", 1)
        count = min(max(1, wanted if isinstance(wanted, int) else 1), MAX_ARRAY_ITEMS)
        item = schema.get("items", {"type": "string"})
        return [self.value(item, f"{path}[{i}]", depth + 1) for i in range(count)]

    def object(self, schema: dict[str, Any], path: str, depth: int) -> dict[str, Any]:
        props = schema.get("properties", {})
        prefix = f"{path}." if path else ""
        return {name: self.value(sub, f"{prefix}{name}", depth + 1) for name, sub in props.items()}


def _number(schema: dict[str, Any], kind: str) -> float | int:
    low = schema.get("minimum", schema.get("exclusiveMinimum", 0))
    value = float(low + 1 if "exclusiveMinimum" in schema else max(low, 1))
    return int(value) if kind == "integer" else value
