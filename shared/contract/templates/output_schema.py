"""A user's output schema, vetted before any validator is built from it, and the validator:
nothing is ever fetched, and no reference may make validation grow beyond a bound."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from referencing import Registry

from shared.contract.templates.errors import TemplateError, cut

# Keys that make a subschema a resource of its own, or resolve by name: refused wherever they
# appear (even under a key that is no keyword), so a reference can only be a local pointer.
REFUSED_KEYS = frozenset(
    {"$id", "$anchor", "$dynamicRef", "$dynamicAnchor", "$recursiveRef", "$recursiveAnchor"}
)
# Subschemas one validation may visit once references are expanded. A 16 KB schema has a few
# thousand; a `$defs` chain of `allOf: [ref, ref]` doubles per link (2^26 took 60 s).
MAX_EXPANSION = 20_000


def vetted_validator(schema: dict[str, Any]) -> Draft202012Validator:
    """The validator of a schema that passed `vet`; raises TemplateError with the reason."""
    vet(schema)
    return validator(schema)


def validator(schema: dict[str, Any]) -> Draft202012Validator:
    """A validator whose registry holds only the schema itself and the metaschemas: a
    reference outside them is unresolvable (jsonschema's default would `urlopen` it)."""
    return Draft202012Validator(schema, registry=Registry())


def vet(schema: dict[str, Any]) -> None:
    """Refuses regular expressions (Python's can backtrack for hours on an answer's text),
    resource and anchor keys, references outside the schema, and exponential expansion."""
    if _values_of(schema, {"pattern", "patternProperties"}):
        raise TemplateError("output_schema: pattern and patternProperties are not allowed")
    refused = sorted(REFUSED_KEYS.intersection(_keys_of(schema)))
    if refused:
        raise TemplateError(f"output_schema: {', '.join(refused)} not allowed (nothing is fetched)")
    refs = _values_of(schema, {"$ref"})
    if any(not isinstance(ref, str) or not ref.startswith("#") for ref in refs):
        raise TemplateError("output_schema: only references within the schema (#...) are allowed")
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        raise TemplateError(cut(f"output_schema is not valid JSON Schema: {exc.message}")) from None
    if expansion(schema) > MAX_EXPANSION:
        raise TemplateError(
            f"output_schema: its references expand to more than {MAX_EXPANSION} subschemas"
        )


def expansion(schema: dict[str, Any]) -> int:
    """Subschemas visited when every `$ref` is replaced by its target (counted up to just past
    MAX_EXPANSION); a reference back into its own path counts once, as recursion is bounded
    by the instance."""
    sizes: dict[int, int] = {}
    on_path: set[int] = set()

    def size(node: Any) -> int:
        if not isinstance(node, dict | list):
            return 0
        if id(node) in sizes or id(node) in on_path:
            return sizes.get(id(node), 1)
        on_path.add(id(node))
        children = node.values() if isinstance(node, dict) else node
        total = 1 + sum(size(child) for child in children)
        if isinstance(node, dict) and isinstance(node.get("$ref"), str):
            total += size(_target(schema, node["$ref"]))
        on_path.discard(id(node))
        sizes[id(node)] = min(total, MAX_EXPANSION + 1)
        return sizes[id(node)]

    return size(schema)


def _target(root: Any, ref: str) -> Any:
    """The node a local JSON pointer (`#/$defs/a`) names, or None."""
    node = root
    for part in unquote(ref.removeprefix("#")).split("/")[1:]:
        key = part.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict):
            node = node.get(key)
        elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
            node = node[int(key)]
        else:
            return None
    return node


def _values_of(value: Any, keys: set[str]) -> list[Any]:
    """The values of `keys` anywhere in `value` (nested no deeper than a spec allows)."""
    if isinstance(value, dict):
        found = [v for k, v in value.items() if k in keys]
        return found + [hit for child in value.values() for hit in _values_of(child, keys)]
    if isinstance(value, list):
        return [hit for child in value for hit in _values_of(child, keys)]
    return []


def _keys_of(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value).union(*(_keys_of(child) for child in value.values()))
    if isinstance(value, list):
        return set().union(*(_keys_of(child) for child in value))
    return set()
