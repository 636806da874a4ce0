"""Starlette's middleware answers some 4xx itself, in plain text (an unknown Host header,
a body over the limit): this one sends them as problem details, like every other error."""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.gateway.api.problems import problem

# Their texts are a few words; a longer one is cut rather than quoted whole.
MAX_DETAIL_CHARS = 200


class PlainErrors:
    """ASGI middleware, added outside the middleware whose answers it rewrites."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status, text = 0, b""

        async def sending(message: Message) -> None:
            nonlocal status, text
            if message["type"] == "http.response.start" and _plain_error(message):
                status = message["status"]
            elif not status:
                await send(message)
            elif message["type"] == "http.response.body":
                text += message.get("body", b"")
                if not message.get("more_body", False):
                    detail = text[:MAX_DETAIL_CHARS].decode(errors="replace")
                    await problem(status, detail)(scope, receive, send)

        await self.app(scope, receive, sending)


def _plain_error(start: Message) -> bool:
    kind = Headers(raw=start.get("headers", [])).get("content-type", "")
    return 400 <= start["status"] < 500 and kind.startswith("text/plain")
