"""Hostile user templates and schemas, each built the way the issue's probes were."""

from __future__ import annotations

from typing import Any

from tests.templates.samples import claims

DOC = "\n<document>\n{{ text }}\n</document>"


def compare_bomb(levels: int = 8) -> str:
    """Two lists of 1000 zeros nested `levels` deep ten at a time by aliasing (no value is
    bigger than its source), then compared: one C call of 10^(levels+2) steps."""
    opens = ["{% for a0 in [[0]*1000] %}{% for b0 in [[0]*1000] %}"]
    for k in range(1, levels):
        for c in "ab":
            opens.append(f"{{% for {c}{k} in [[{','.join([f'{c}{k - 1}'] * 10)}]] %}}")
    closes = "{% endfor %}" * (2 * levels)
    return "".join(opens) + f"{{{{ a{levels - 1} == b{levels - 1} }}}}" + closes


def concat_growth(levels: int = 5) -> str:
    """`~` through `for` targets: each level ten times longer than the one it loops over."""
    opens, last = [], "text"
    for k in range(levels):
        opens.append(f"{{% for s{k} in [{' ~ '.join([last] * 10)}] %}}")
        last = f"s{k}"
    return "".join(opens) + f"{{{{ {last} | length }}}}" + "{% endfor %}" * levels


def doubling_chain(links: int = 26, guarded: bool = False) -> dict[str, Any]:
    """The sample template whose `claim` is `d_0`, where `d_k = allOf: [ref d_k+1, ref d_k+1]`:
    2^links subschemas to validate one string; `guarded`, only if the claim is "trigger"."""
    defs: dict[str, Any] = {
        f"d{k}": {"allOf": [{"$ref": f"#/$defs/d{k + 1}"}] * 2} for k in range(links)
    }
    defs[f"d{links}"] = {"type": "string"}
    chain = {"$ref": "#/$defs/d0"}
    claim = {"if": {"const": "trigger"}, "then": chain} if guarded else chain
    spec = with_schema(claim=claim)
    spec["output_schema"]["$defs"] = defs
    return spec


def with_schema(**properties: Any) -> dict[str, Any]:
    """The sample template, its item schema given `properties` besides claim and evidence."""
    spec = claims()
    schema = spec["output_schema"]
    schema["properties"] |= properties
    return spec


def nested_min_items(size: int = 1000) -> dict[str, Any]:
    inner = {"type": "array", "minItems": size, "items": {"type": "string"}}
    return {"type": "array", "minItems": size, "items": inner}
