"""Who may talk to the gateway: known Host headers only, and with a token set, a bearer header
or the login's session cookie on everything but /health, /login and the fonts."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from http.cookies import SimpleCookie
from ipaddress import ip_address
from urllib.parse import quote

from pydantic import SecretStr
from starlette.types import ASGIApp, Receive, Scope, Send

from shared.settings import Settings

COOKIE = "datafactory_session"
# As Host headers name them: an IPv6 address in brackets.
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "[::1]")
# Reachable without a token: the health check; /metrics, since Prometheus scrapes without
# credentials and it holds figures only (no content, no secrets); the login form and its fonts.
OPEN_PATHS = ("/health", "/metrics", "/login", "/logout")
OPEN_PREFIXES = ("/fonts/",)


# Shorter tokens are guessable through the login form, which has no attempt limit.
MIN_TOKEN_CHARS = 16


class TokenRequired(RuntimeError):
    """The gateway would listen beyond loopback with nobody's identity checked, or with a
    token short enough to guess."""


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def token_of(settings: Settings) -> SecretStr | None:
    """The token requests must carry, or None on loopback without one; raises TokenRequired
    when the gateway binds anything else without a token."""
    token = settings.api_token
    if token is not None and not token.get_secret_value().strip():
        token = None
    if token is not None and len(token.get_secret_value().strip()) < MIN_TOKEN_CHARS:
        raise TokenRequired(
            f"DATAFACTORY_API_TOKEN is shorter than {MIN_TOKEN_CHARS} characters; "
            "generate one with `openssl rand -hex 32`"
        )
    if token is None and not is_loopback(settings.gateway_host):
        raise TokenRequired(
            f"the gateway binds {settings.gateway_host}, beyond loopback: set "
            "DATAFACTORY_API_TOKEN (e.g. `openssl rand -hex 32`) or bind 127.0.0.1"
        )
    return token


def allowed_hosts(settings: Settings) -> list[str]:
    """Host headers answered: loopback names, the bind address, and the configured ones."""
    wildcard = settings.gateway_host in ("0.0.0.0", "::", "")
    bound = [] if wildcard else [_as_host_header(settings.gateway_host)]
    configured = [_as_host_header(host) for host in settings.allowed_hosts]
    return list(dict.fromkeys([*LOOPBACK_HOSTS, *bound, *configured]))


def _as_host_header(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def session_value(token: SecretStr) -> str:
    """The cookie's value: derived from the token, so the cookie never holds the token."""
    key = token.get_secret_value().encode()
    return hmac.new(key, b"datafactory dashboard session", hashlib.sha256).hexdigest()


def same_secret(given: str, expected: str) -> bool:
    return secrets.compare_digest(given.encode(), expected.encode())


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return ""


def authorised(scope: Scope, token: SecretStr) -> bool:
    scheme, _, given = _header(scope, b"authorization").partition(" ")
    if scheme.lower() == "bearer" and same_secret(given.strip(), token.get_secret_value()):
        return True
    cookie = SimpleCookie()
    try:
        cookie.load(_header(scope, b"cookie"))
    except Exception:  # a malformed cookie header authorises nothing
        return False
    morsel = cookie.get(COOKIE)
    return morsel is not None and same_secret(morsel.value, session_value(token))


def _is_open(path: str) -> bool:
    return path in OPEN_PATHS or path.startswith(OPEN_PREFIXES)


def _wants_page(scope: Scope) -> bool:
    """A browser asking for a dashboard page is sent to the login form; API calls get 401."""
    api = scope["path"].startswith(("/api/", "/openapi"))  # /docs is a page too
    return not api and scope["method"] == "GET" and "text/html" in _header(scope, b"accept")


class TokenGate:
    """ASGI middleware: requests without the token are refused before any route runs."""

    def __init__(self, app: ASGIApp, token: SecretStr) -> None:
        self.app, self.token = app, token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan" or _is_open(scope["path"]) or authorised(scope, self.token):
            await self.app(scope, receive, send)
        elif scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
        elif _wants_page(scope):
            target = quote(scope["path"], safe="/")
            await _respond(send, 303, b"", [(b"location", f"/login?next={target}".encode())])
        else:
            body = json.dumps({"detail": "a bearer token is required"}).encode()
            headers = [(b"content-type", b"application/json"), (b"www-authenticate", b"Bearer")]
            await _respond(send, 401, body, headers)


async def _respond(
    send: Send, status: int, body: bytes, headers: list[tuple[bytes, bytes]]
) -> None:
    length = (b"content-length", str(len(body)).encode())
    await send({"type": "http.response.start", "status": status, "headers": [*headers, length]})
    await send({"type": "http.response.body", "body": body})
