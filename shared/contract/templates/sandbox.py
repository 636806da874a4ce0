"""The sandbox user templates render in: checked before use, and rendered within limits.

Jinja2's immutable sandbox already refuses `_`-attributes and mutating calls. On top: no macros,
imports, blocks or `set` (the ways a template grows a value without bound), only the context's
names and `range` (capped), a short list of filters and string methods, caps on what one
expression may build (`caps`), and limits on source size, render time and output length.
User templates render in a worker process (`pool`) whose deadline kills what these miss."""

from __future__ import annotations

import operator
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

from jinja2 import StrictUndefined, nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from shared.contract.templates import caps
from shared.contract.templates.caps import MAX_OUTPUT_CHARS
from shared.contract.templates.errors import TemplateError, TemplateTimeout

MAX_SOURCE_CHARS = 10_000
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

__all__ = ["MAX_OUTPUT_CHARS", "PromptSandbox", "RenderLimit", "render"]


class RenderLimit(TemplateError):
    """A render ran past its output limit."""


def _range(*args: int) -> range:
    span = range(*args)
    if len(span) > MAX_RANGE:
        raise SecurityError(f"range of {len(span)} items; at most {MAX_RANGE}")
    return span


class _CappedConcat(CodeGenerator):
    """`~` is no binary operator the sandbox intercepts: it compiles to a call of `caps.concat`."""

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        self.write("environment.capped_concat((")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")


class PromptSandbox(ImmutableSandboxedEnvironment):
    intercepted_binops = frozenset({"*", "**", "+", "%"})
    code_generator_class = _CappedConcat
    capped_concat = staticmethod(caps.concat)

    def __init__(self) -> None:
        super().__init__(
            undefined=StrictUndefined,
            autoescape=False,
            trim_blocks=True,
            lstrip_blocks=True,
            finalize=caps.finalize,
        )
        self.filters = {name: caps.capped_filter(name, self.filters[name]) for name in SAFE_FILTERS}
        self.globals = {"range": _range}

    def call_binop(self, context: Any, op: str, left: Any, right: Any) -> Any:
        if op == "**" and isinstance(right, int | float) and abs(right) > MAX_EXPONENT:
            raise SecurityError(f"exponent {right} above {MAX_EXPONENT}")
        caps.refuse_binop(op, left, right)
        return _BINOPS[op](left, right)

    def call(self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        # Jinja hands out `str.format` wrapped (its own formatter, which caps no width): the
        # wrapper names the method it wraps, so `[s.format][0](...)` is refused here too.
        method = getattr(__obj, "__wrapped__", __obj)
        owner = getattr(method, "__self__", None)
        name = getattr(method, "__name__", "")
        if owner is not None and not isinstance(owner, type(sys)) and name not in SAFE_METHODS:
            raise SecurityError(f"method {name!r} is not allowed in templates")
        return super().call(__context, __obj, *args, **kwargs)


_BINOPS: dict[str, Callable[[Any, Any], Any]] = {
    "*": operator.mul,
    "**": operator.pow,
    "+": operator.add,
    "%": operator.mod,
}


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
    A single C call outlasts it, and a `try` inside Jinja can swallow it (which unsets the
    tracer): the worker's deadline, which kills the process, is what bounds a render."""
    deadline = time.monotonic() + seconds

    def tracer(frame: FrameType, event: str, arg: Any) -> Any:
        if time.monotonic() > deadline:
            raise TemplateTimeout(
                "template_timeout", f"{part}: render took longer than {seconds:g} s"
            )
        return tracer

    previous = sys.gettrace()
    sys.settrace(tracer)
    try:
        yield
    finally:
        sys.settrace(previous)
