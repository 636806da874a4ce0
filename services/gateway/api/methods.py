"""405 with an `Allow` header for a method the OpenAPI schema does not declare on one of its
paths, and a 404 problem for an unknown path under /api/. Without it the dashboard, mounted
at /, answers both with its HTML 404 page."""

from __future__ import annotations

import re
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from services.gateway.api.problems import problem

_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
_PARAMETER = re.compile(r"\\\{[^}]+\\\}")  # a {name} of the path, once re.escape'd


def _pattern(path: str) -> re.Pattern[str]:
    return re.compile(_PARAMETER.sub("[^/]+", re.escape(path)))


def declared(schema: dict[str, Any]) -> list[tuple[re.Pattern[str], frozenset[str]]]:
    """Each documented path's pattern and the methods it answers (HEAD wherever GET is)."""
    paths = []
    for path, operations in schema["paths"].items():
        methods = {method.upper() for method in operations if method in _METHODS}
        methods |= {"HEAD"} if "GET" in methods else set()
        paths.append((_pattern(path), frozenset(methods)))
    return paths


class DeclaredMethods:
    """ASGI middleware; reads the schema from the app on the first request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.paths: list[tuple[re.Pattern[str], frozenset[str]]] | None = None

    def _allowed(self, scope: Scope) -> frozenset[str] | None:
        if self.paths is None:
            self.paths = declared(scope["app"].openapi())
        matched = [methods for pattern, methods in self.paths if pattern.fullmatch(scope["path"])]
        return frozenset().union(*matched) if matched else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        allowed = self._allowed(scope)
        if allowed is None and scope["path"].startswith("/api/"):
            found = problem(404, "no such API path: see /openapi.json")
        elif allowed is not None and scope["method"] not in allowed:
            detail = f"{scope['method']} is not one of this path's methods"
            found = problem(405, detail, {"Allow": ", ".join(sorted(allowed))})
        else:
            await self.app(scope, receive, send)
            return
        await found(scope, receive, send)
