"""The sandbox user templates render in: checked before use, and rendered within limits.

Jinja2's immutable sandbox already refuses `_`-attributes and mutating calls. On top: no macros,
imports, blocks or `set` (the ways a template grows a value without bound), only the context's
names and `range` (capped), a short list of filters and string methods, and limits on source
size, render time and output length."""

from __future__ import annotations

import operator
import sys
import time
from collections.abc import Callable, Iterator, Sized
from contextlib import contextmanager
from types import FrameType
from typing import Any

from jinja2 import StrictUndefined
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from shared.templates.errors import TemplateError

MAX_SOURCE_CHARS = 10_000
MAX_OUTPUT_CHARS = 100_000  # a chunk of 8192 tokens is about 40,000 characters
MAX_RENDER_S = 1.0
MAX_RANGE = 1_000
MAX_EXPONENT = 64
SAFE_FILTERS = frozenset(
    "abs capitalize count d default dictsort first float int items join last length list lower "  # noqa: SIM905
    "max min reject rejectattr reverse round select selectattr sort string sum title tojson trim "
    "truncate unique upper wordcount".split()
)
SAFE_METHODS = frozenset(
    "capitalize count endswith find get items keys lower lstrip rstrip split splitlines "  # noqa: SIM905
    "startswith strip title upper values".split()
)


class RenderLimit(TemplateError):
    """A render ran past its time or output limit."""


def _range(*args: int) -> range:
    span = range(*args)
    if len(span) > MAX_RANGE:
        raise SecurityError(f"range of {len(span)} items; at most {MAX_RANGE}")
    return span


def _join(value: Any, d: str = "") -> str:
    items = [str(item) for item in value]
    if sum(map(len, items)) + len(items) * len(str(d)) > MAX_OUTPUT_CHARS:
        raise SecurityError(f"join longer than {MAX_OUTPUT_CHARS} characters")
    return str(d).join(items)


class PromptSandbox(ImmutableSandboxedEnvironment):
    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def __init__(self) -> None:
        super().__init__(
            undefined=StrictUndefined, autoescape=False, trim_blocks=True, lstrip_blocks=True
        )
        self.filters = {name: self.filters[name] for name in SAFE_FILTERS} | {"join": _join}
        self.globals = {"range": _range}

    def call_binop(self, context: Any, op: str, left: Any, right: Any) -> Any:
        if op == "%" and isinstance(left, str):
            raise SecurityError("string formatting with % is not allowed")
        if op == "**" and isinstance(right, int | float) and abs(right) > MAX_EXPONENT:
            raise SecurityError(f"exponent {right} above {MAX_EXPONENT}")
        if op == "*" and _repeats_past_limit(left, right):
            raise SecurityError(f"repetition longer than {MAX_OUTPUT_CHARS} items")
        result = _BINOPS[op](left, right)
        if isinstance(result, Sized) and len(result) > MAX_OUTPUT_CHARS:
            raise SecurityError(f"a value longer than {MAX_OUTPUT_CHARS} characters")
        return result

    def call(self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        owner = getattr(__obj, "__self__", None)
        name = getattr(__obj, "__name__", "")
        if owner is not None and not isinstance(owner, type(sys)) and name not in SAFE_METHODS:
            raise SecurityError(f"method {name!r} is not allowed in templates")
        return super().call(__context, __obj, *args, **kwargs)


_BINOPS: dict[str, Callable[[Any, Any], Any]] = {
    "*": operator.mul,
    "**": operator.pow,
    "+": operator.add,
    "%": operator.mod,
}


def _repeats_past_limit(left: Any, right: Any) -> bool:
    for seq, times in ((left, right), (right, left)):
        if isinstance(seq, str | list | tuple) and isinstance(times, int):
            return len(seq) * times > MAX_OUTPUT_CHARS
    return False


def render(template: Any, context: dict[str, Any], part: str) -> str:
    """The rendered text, streamed so a runaway loop stops at the output limit."""
    pieces, size = [], 0
    try:
        with _deadline(MAX_RENDER_S, part):
            for piece in template.generate(context):
                size += len(piece)
                if size > MAX_OUTPUT_CHARS:
                    raise RenderLimit(f"{part}: output longer than {MAX_OUTPUT_CHARS} characters")
                pieces.append(piece)
    except TemplateError:
        raise
    except Exception as exc:  # SecurityError, undefined names, type errors in expressions
        raise TemplateError(f"{part}: {type(exc).__name__}: {exc}") from None
    return "".join(pieces).strip()


@contextmanager
def _deadline(seconds: float, part: str) -> Iterator[None]:
    """Traces this thread's Python frames: a render past `seconds` raises inside its loop.
    Rendering runs Python code only, so no C call can outlast the check for long."""
    deadline = time.monotonic() + seconds

    def tracer(frame: FrameType, event: str, arg: Any) -> Any:
        if time.monotonic() > deadline:
            raise RenderLimit(f"{part}: render took longer than {seconds:g} s")
        return tracer

    previous = sys.gettrace()
    sys.settrace(tracer)
    try:
        yield
    finally:
        sys.settrace(previous)
