"""Cheap static caps on what one expression of a user template may build. Each refuses,
before the call, a single C call that would hold the GIL for seconds: a huge integer, a long
concatenation, or the text of an aliased nesting (`[[0]*100000]*100` is 100 items long but
60 MB as a string). The worker's deadline stops whatever still runs too long."""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Mapping
from typing import Any

from jinja2 import Environment
from jinja2.exceptions import SecurityError
from jinja2.nodes import EvalContext
from jinja2.runtime import Context, Undefined

MAX_OUTPUT_CHARS = 100_000  # a chunk of 8192 tokens is about 40,000 characters
MAX_INT_BITS = 4_096  # 1,233 digits; Python's own str() refuses past 4,300
MAX_JSON_INDENT = 8


def weight(value: Any, budget: int = MAX_OUTPUT_CHARS) -> int:
    """About how many characters `value` takes written out (str, repr or JSON), counted no
    further than just past `budget`, so a hostile value costs at most `budget` steps."""
    total, stack = 0, [value]
    while stack and total <= budget:
        item = stack.pop()
        if isinstance(item, Undefined):  # a missing attribute `default` may stand in for
            total += 8
        elif isinstance(item, str):
            total += len(item) + 2
        elif isinstance(item, int) and not isinstance(item, bool):
            total += item.bit_length() // 3 + 1
        elif isinstance(item, Mapping):
            total += 2 + 4 * len(item)
            stack.extend(item.items() if len(item) <= budget else ())
        elif isinstance(item, Collection):
            total += 2 + 2 * len(item)
            stack.extend(item if len(item) <= budget else ())
        else:
            total += 8
    return total


def refuse_heavy(*values: Any, what: str = "a value") -> None:
    """Raises SecurityError if `values` together would write out past MAX_OUTPUT_CHARS."""
    if sum(weight(v) for v in values) > MAX_OUTPUT_CHARS:
        raise SecurityError(f"{what} is longer than {MAX_OUTPUT_CHARS} characters")


def refuse_binop(op: str, left: Any, right: Any) -> None:
    """Refuses `left op right` when its result would be past a cap, before it is computed."""
    if op == "%" and isinstance(left, str):
        raise SecurityError("string formatting with % is not allowed")
    if isinstance(left, int) and isinstance(right, int):
        bits = _int_bits(op, left, right)
        if bits > MAX_INT_BITS:
            raise SecurityError(f"an integer of about {bits} bits; at most {MAX_INT_BITS}")
    elif op == "*":
        for seq, times in ((left, right), (right, left)):
            # The brackets or quotes once, the rest `times` over: "0, " three times for [0] * 3.
            long = isinstance(times, int) and (weight(seq) - 2) * times > MAX_OUTPUT_CHARS
            if long and not isinstance(seq, int | float):
                raise SecurityError(f"repetition longer than {MAX_OUTPUT_CHARS} characters")
    elif op == "+":
        refuse_heavy(left, right, what="a sum")


def _int_bits(op: str, left: int, right: int) -> int:
    if op == "**":
        return left.bit_length() * right if right > 0 else 0
    if op == "*":
        return left.bit_length() + right.bit_length()
    return max(left.bit_length(), right.bit_length()) + 1


def concat(parts: tuple[Any, ...]) -> str:
    """`a ~ b ~ c`, refused before any part is turned into text past the cap."""
    refuse_heavy(*parts, what="a ~ concatenation")
    return "".join(str(part) for part in parts)


def finalize(value: Any) -> Any:
    """What `{{ value }}` writes, refused before its text is made if it would be too long."""
    refuse_heavy(value)
    return value


def capped_filter(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    """`fn` with its inputs weighed first (`string`, `tojson`, `sum(start=[])`, `join`,
    `upper`… each turn a value into text or a new value in one call)."""
    runtime = (Context, EvalContext, Environment)

    @functools.wraps(fn)  # keeps `jinja_pass_arg`, which tells Jinja what to pass first
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        inputs = [a for a in args if not isinstance(a, runtime)]
        refuse_heavy(*inputs, *kwargs.values(), what=f"the input of |{name}")
        if name == "tojson":
            indent = kwargs.get("indent", inputs[1] if len(inputs) > 1 else None)
            if indent is not None and not (type(indent) is int and indent <= MAX_JSON_INDENT):
                raise SecurityError(f"tojson indent {indent}; at most {MAX_JSON_INDENT}")
        return fn(*args, **kwargs)

    return wrapper
