"""Every error answer as RFC 9457 problem details (application/problem+json), and the OpenAPI
entries that document them: one body shape for a client to handle, whatever failed."""

from __future__ import annotations

import json
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.encoders import jsonable_encoder
from starlette.exceptions import HTTPException

from services.gateway.api.schemas import Problem

PROBLEM_JSON = "application/problem+json"
_PROBLEM_REF = "#/components/schemas/Problem"
# FastAPI's default 422 body, replaced by Problem in the schema as in the answers.
_FASTAPI_ERRORS = ("HTTPValidationError", "ValidationError")


def problem_body(status: int, detail: str, **extra: Any) -> bytes:
    """ASCII-escaped JSON: a quoted input may hold a lone surrogate no UTF-8 body can."""
    # A validator's error in a ctx is an exception: its message is what it says.
    plain = jsonable_encoder(extra, custom_encoder={BaseException: str})
    found = Problem(title=HTTPStatus(status).phrase, status=status, detail=detail, **plain)
    return json.dumps(jsonable_encoder(found, exclude_none=True), ensure_ascii=True).encode()


def problem(
    status: int, detail: str, headers: Mapping[str, str] | None = None, **extra: Any
) -> Response:
    body = problem_body(status, detail, **extra)
    return Response(body, status_code=status, headers=headers, media_type=PROBLEM_JSON)


async def http_error(_request: Request, exc: Exception) -> Response:
    """An HTTPException as a problem: a dict detail's `message` is the problem's `detail`,
    its other keys (`rejected`, `active_jobs`, `reason`) extension members."""
    assert isinstance(exc, HTTPException)
    if exc.status_code < 400:
        return Response(status_code=exc.status_code, headers=exc.headers)
    extra: dict[str, Any] = {}
    detail = exc.detail
    if isinstance(detail, dict):
        extra = {key: value for key, value in detail.items() if key != "message"}
        detail = detail.get("message", "")
    return problem(exc.status_code, str(detail), exc.headers, **extra)


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """A route's `responses=` for the error statuses it answers, each a Problem."""
    return {s: {"model": Problem, "description": HTTPStatus(s).phrase} for s in statuses}


def _is_problem(body: dict[str, Any]) -> bool:
    ref = str(body.get("schema", {}).get("$ref", ""))
    return ref == _PROBLEM_REF or ref.rsplit("/", 1)[-1] in _FASTAPI_ERRORS


def _as_problem(code: str, response: dict[str, Any]) -> None:
    """FastAPI files an error model under the route's media type (text/plain for a file)."""
    content = response.get("content", {})
    if any(_is_problem(body) for body in content.values()):
        response["content"] = {PROBLEM_JSON: {"schema": {"$ref": _PROBLEM_REF}}}
        response["description"] = HTTPStatus(int(code)).phrase


_TOO_LARGE = {
    "description": HTTPStatus(413).phrase,
    "content": {PROBLEM_JSON: {"schema": {"$ref": _PROBLEM_REF}}},
}


def documented(app: FastAPI) -> dict[str, Any]:
    """The app's OpenAPI schema with each error body as application/problem+json: FastAPI
    files a response model under the route's own media type, and adds its own 422 model."""
    if app.openapi_schema is not None:
        return app.openapi_schema
    schema = FastAPI.openapi(app)  # FastAPI's, cached on the app: adjusted once
    for operations in schema["paths"].values():
        for operation in operations.values():
            if "requestBody" in operation:  # over the app's body limit
                operation["responses"].setdefault("413", _TOO_LARGE)
            for code, response in operation.get("responses", {}).items():
                if code[:1] in "45":
                    _as_problem(code, response)
    for name in _FASTAPI_ERRORS:
        schema.get("components", {}).get("schemas", {}).pop(name, None)
    return schema
