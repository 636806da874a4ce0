"""The dashboard's login: a form that takes the API token and opens a session (an HttpOnly
cookie, Secure over HTTPS); log-out ends the session on the server."""

from __future__ import annotations

from html import escape
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import SecretStr

from services.gateway.api.access import same_secret
from services.gateway.api.gate import session_cookie
from services.gateway.api.sessions import Sessions, forwarded_https
from services.gateway.session_cookie import COOKIE

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>AI Data Factory: sign in</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
@font-face {{ font-family: "JetBrains Mono";
  src: url("/fonts/JetBrainsMono-Regular.woff2") format("woff2"); }}
@font-face {{ font-family: Inter; src: url("/fonts/Inter-Regular.woff2") format("woff2"); }}
body {{ margin: 0; min-height: 100vh; display: grid; place-items: center; color: #d6e4f0;
  background: radial-gradient(ellipse at 50% -20%, #10233a 0%, #0a0a0f 55%) fixed #0a0a0f;
  font-family: Inter, system-ui, sans-serif; }}
form {{ width: 340px; padding: 28px 30px; display: grid; gap: 14px; border-radius: 10px;
  background: rgba(14, 22, 34, .55); border: 1px solid rgba(0, 212, 255, .22);
  box-shadow: 0 0 18px rgba(0, 212, 255, .10), inset 0 0 14px rgba(0, 212, 255, .04); }}
h1 {{ margin: 0; font: 700 1.05rem "JetBrains Mono", monospace; color: #00d4ff;
  text-shadow: 0 0 10px rgba(0, 212, 255, .45); }}
label {{ text-transform: uppercase; letter-spacing: .14em; font-size: .68rem; color: #6f8398; }}
input {{ padding: 10px 12px; border-radius: 6px; border: 1px solid rgba(0, 212, 255, .3);
  background: rgba(0, 0, 0, .35); color: #d6e4f0; font-family: "JetBrains Mono", monospace; }}
button {{ padding: 10px; border: 0; border-radius: 6px; background: #00d4ff; color: #0a0a0f;
  font-weight: 700; cursor: pointer; }}
.error {{ color: #ff4d6d; font-size: .85rem; margin: 0; }}
</style></head>
<body><form method="post" action="/login">
<h1>&#9698; AI DATA FACTORY</h1>
<label for="token">API token</label>
<input id="token" name="token" type="password" autocomplete="current-password" autofocus required>
<input type="hidden" name="next" value="{next}">
{error}<button type="submit">Sign in</button>
</form></body></html>
"""


def _page(target: str, error: str = "", status: int = 200) -> HTMLResponse:
    shown = f'<p class="error">{escape(error)}</p>' if error else ""
    return HTMLResponse(PAGE.format(next=escape(target), error=shown), status_code=status)


def _local(target: str) -> str:
    """Only a path on this site: `next` must not send a signed-in user elsewhere."""
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _token(request: Request) -> SecretStr | None:
    token: SecretStr | None = request.app.state.api_token
    return token


def _secure(request: Request) -> bool:
    """Served over HTTPS: here, or at a trusted proxy in front (X-Forwarded-Proto)."""
    settings = request.app.state.gateway.settings
    client = request.client.host if request.client else None
    proto = request.headers.get("x-forwarded-proto", "")
    return request.url.scheme == "https" or forwarded_https(settings, client, proto)


router = APIRouter(include_in_schema=False)


@router.get("/login")
async def login_form(request: Request, next: str = "/") -> Response:
    if _token(request) is None:
        return RedirectResponse(_local(next), status_code=303)
    return _page(_local(next))


@router.post("/login")
async def log_in(
    request: Request,
    token: Annotated[str, Form(max_length=1000)],
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    expected = _token(request)
    if expected is None:
        return RedirectResponse(_local(next), status_code=303)
    if not same_secret(token.strip(), expected.get_secret_value()):
        return _page(_local(next), "That token is not the gateway's.", status=401)
    response = RedirectResponse(_local(next), status_code=303)
    sessions: Sessions = request.app.state.sessions
    value = await sessions.open(request.app.state.gateway.redis)
    # Lax: sent when a link leads here, never with another site's POST.
    response.set_cookie(
        COOKIE,
        value,
        max_age=sessions.ttl_s,
        httponly=True,
        samesite="lax",
        secure=_secure(request),
    )
    return response


@router.get("/logout")
async def log_out(request: Request) -> Response:
    """Ends the session on the server too: a copy of the cookie opens nothing afterwards."""
    sessions: Sessions | None = request.app.state.sessions
    cookie = session_cookie(request.headers.get("cookie", ""))
    if sessions is not None and cookie is not None:
        await sessions.close(request.app.state.gateway.redis, cookie)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE)
    return response
