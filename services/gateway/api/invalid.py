"""422 for a request that fails validation, as FastAPI words it, in a problem body that always
encodes and never quotes back more than 1 KB of what was sent (a 400 KB input used to come
back whole, to whoever reads the response or logs it)."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError

from services.gateway.api.problems import problem

# The input quoted back in one error body, over all its errors.
MAX_ECHO_CHARS = 1024
# Enough to tell which value is wrong; a location part is a field name or a dict key.
MAX_QUOTE_CHARS = 200
MAX_ERRORS = 20


def clipped(value: Any, limit: int) -> Any:
    """`value` as it is when short, else the start of its JSON with the length it had."""
    text = json.dumps(jsonable_encoder(value), ensure_ascii=True, default=str)
    if len(text) <= limit:
        return value
    return f"{text[: max(0, limit - 40)]}… ({len(text):,} characters)"


class _Echo:
    """What one body may still quote of the input: each quote is cut to what is left."""

    def __init__(self) -> None:
        # The problem's `field` quotes the first location again, within MAX_QUOTE_CHARS.
        self.left = MAX_ECHO_CHARS - MAX_QUOTE_CHARS

    def quote(self, value: Any) -> Any:
        shown = clipped(value, max(0, min(self.left, MAX_QUOTE_CHARS)))
        self.left -= len(json.dumps(jsonable_encoder(shown), ensure_ascii=True, default=str))
        return shown


def _error(error: dict[str, Any], echo: _Echo) -> dict[str, Any]:
    shown = {k: v for k, v in error.items() if k not in ("input", "ctx", "url", "msg")}
    # Ours, but a validator's message may quote the value it refused.
    shown["msg"] = clipped(str(error.get("msg", "")), MAX_QUOTE_CHARS)
    shown["loc"] = [echo.quote(part) for part in error.get("loc", ())]
    if "ctx" in error:  # a constraint (max_length) or the error a validator raised
        shown["ctx"] = {k: echo.quote(v) for k, v in error["ctx"].items()}
    if "input" in error:
        shown["input"] = echo.quote(error["input"])
    return shown


def bounded(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The first errors, each with its input cut, within MAX_ECHO_CHARS of input in all."""
    shown: list[dict[str, Any]] = []
    echo = _Echo()
    for error in errors:
        if len(shown) == MAX_ERRORS or echo.left <= 0:
            more = f"{len(errors) - len(shown):,} more errors left out"
            shown.append({"loc": [], "msg": more, "type": "too_many_errors"})
            break
        shown.append(_error(error, echo))
    return shown


def _field(error: dict[str, Any]) -> str:
    return ".".join(str(part) for part in error.get("loc", ()))


async def invalid_request(_request: Request, exc: Exception) -> Response:
    """FastAPI's own answer echoes the input, and JSON may carry a lone surrogate that no
    UTF-8 body can hold: that was a 500. ASCII-escaped, it is the 422 with its reasons."""
    errors = bounded(list(exc.errors()) if isinstance(exc, RequestValidationError) else [])
    field = str(clipped(_field(errors[0]), MAX_QUOTE_CHARS)) if errors else None
    count = f"{len(exc.errors()):,}" if isinstance(exc, RequestValidationError) else "a"
    detail = f"the request has {count} invalid value(s): see `errors`"
    return problem(422, detail, field=field, errors=errors)
