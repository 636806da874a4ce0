"""A JSON value that fits a JSON Schema, its strings supplied by the caller: dry-run answers
of user templates, and the simulator's answers to them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Strings = Callable[[str], str]  # the field's path -> a string for it
_DEPTH = 6


def instance(schema: Any, strings: Strings, path: str = "", depth: int = 0) -> Any:
    """A value of `schema`: the first of an enum or a union, a constant, the smallest fitting
    number, one array item (or `minItems`), and every property of an object."""
    if not isinstance(schema, dict) or depth > _DEPTH:
        return strings(path)
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    for union in ("anyOf", "oneOf", "allOf"):
        if schema.get(union):
            return instance(schema[union][0], strings, path, depth + 1)
    kind = schema.get("type", "object" if "properties" in schema else "string")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "string")
    return _BY_TYPE.get(kind, _string)(schema, strings, path, depth)


def _string(schema: dict[str, Any], strings: Strings, path: str, depth: int) -> str:
    return strings(path)


def _number(schema: dict[str, Any], strings: Strings, path: str, depth: int) -> float:
    low = schema.get("minimum", schema.get("exclusiveMinimum", 0))
    return float(low + 1 if "exclusiveMinimum" in schema else max(low, 1))


def _integer(schema: dict[str, Any], strings: Strings, path: str, depth: int) -> int:
    return int(_number(schema, strings, path, depth))


def _boolean(schema: dict[str, Any], strings: Strings, path: str, depth: int) -> bool:
    return True


def _array(schema: dict[str, Any], strings: Strings, path: str, depth: int) -> list[Any]:
    count = max(1, int(schema.get("minItems", 1)))
    item = schema.get("items", {"type": "string"})
    return [instance(item, strings, f"{path}[{i}]", depth + 1) for i in range(count)]


def _object(schema: dict[str, Any], strings: Strings, path: str, depth: int) -> dict[str, Any]:
    props = schema.get("properties", {})
    prefix = f"{path}." if path else ""
    return {
        name: instance(sub, strings, f"{prefix}{name}", depth + 1) for name, sub in props.items()
    }


_BY_TYPE = {
    "string": _string,
    "number": _number,
    "integer": _integer,
    "boolean": _boolean,
    "array": _array,
    "object": _object,
}
