"""With a token set, a bearer header or a live login session on everything but /health, /login
and the fonts; /metrics takes the metrics token, else the API token, whichever is set."""

from __future__ import annotations

from http.cookies import SimpleCookie
from urllib.parse import quote

from pydantic import SecretStr
from redis.exceptions import RedisError
from starlette.types import ASGIApp, Receive, Scope, Send

from services.gateway.api.access import same_secret
from services.gateway.api.problems import PROBLEM_JSON, problem_body
from services.gateway.api.sessions import Sessions
from services.gateway.session_cookie import COOKIE

# Reachable without a token: the health check, the login form and its fonts.
OPEN_PATHS = ("/health", "/login", "/logout")
OPEN_PREFIXES = ("/fonts/",)
# Its own token when DATAFACTORY_METRICS_TOKEN is set: a scraper need not hold the API's.
METRICS_PATH = "/metrics"


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return ""


def bears(scope: Scope, *tokens: SecretStr | None) -> bool:
    """The request's bearer header is one of `tokens`."""
    scheme, _, given = _header(scope, b"authorization").partition(" ")
    return scheme.lower() == "bearer" and any(
        same_secret(given.strip(), token.get_secret_value()) for token in tokens if token
    )


def session_cookie(cookie_header: str) -> str | None:
    cookie = SimpleCookie()
    try:
        cookie.load(cookie_header)
    except Exception:  # a malformed cookie header holds no session
        return None
    morsel = cookie.get(COOKIE)
    return morsel.value if morsel is not None else None


def _is_open(path: str) -> bool:
    return path in OPEN_PATHS or path.startswith(OPEN_PREFIXES)


def _wants_page(scope: Scope) -> bool:
    """A browser asking for a dashboard page is sent to the login form; API calls get 401."""
    api = scope["path"].startswith(("/api/", "/openapi"))  # /docs is a page too
    return not api and scope["method"] == "GET" and "text/html" in _header(scope, b"accept")


class TokenGate:
    """ASGI middleware: requests without the token are refused before any route runs."""

    def __init__(
        self, app: ASGIApp, token: SecretStr | None, metrics_token: SecretStr | None
    ) -> None:
        self.app, self.token, self.metrics_token = app, token, metrics_token
        self.sessions = Sessions(token) if token is not None else None

    async def _allowed(self, scope: Scope) -> bool:
        if scope["path"] == METRICS_PATH:
            tokens = (self.metrics_token or self.token,)
            return tokens == (None,) or bears(scope, *tokens)
        if self.sessions is None or _is_open(scope["path"]) or bears(scope, self.token):
            return True
        cookie = session_cookie(_header(scope, b"cookie"))
        # The lifespan put Redis on the app before any request could arrive.
        redis = scope["app"].state.gateway.redis
        return cookie is not None and await self.sessions.valid(redis, cookie)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.app(scope, receive, send)
            return
        try:
            allowed = await self._allowed(scope)
        except RedisError:
            body = problem_body(503, "Redis is unavailable; retry shortly")
            await _respond(send, 503, body, [(b"content-type", PROBLEM_JSON.encode())])
            return
        if allowed:
            await self.app(scope, receive, send)
        elif scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
        elif _wants_page(scope):
            target = quote(scope["path"], safe="/")
            await _respond(send, 303, b"", [(b"location", f"/login?next={target}".encode())])
        else:
            body = problem_body(401, "a bearer token is required")
            headers = [(b"content-type", PROBLEM_JSON.encode()), (b"www-authenticate", b"Bearer")]
            await _respond(send, 401, body, headers)


async def _respond(
    send: Send, status: int, body: bytes, headers: list[tuple[bytes, bytes]]
) -> None:
    length = (b"content-length", str(len(body)).encode())
    await send({"type": "http.response.start", "status": status, "headers": [*headers, length]})
    await send({"type": "http.response.body", "body": body})
