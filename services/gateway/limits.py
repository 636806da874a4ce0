"""What a client may send, capped on the server: any request body at 8 MB, an upload to the
new-job form at its 1 MB; larger ones get 413 before they are read whole.

The browser's own limit on the upload is a courtesy: anyone can post to its URL directly."""

from __future__ import annotations

import re

from starlette.datastructures import Headers
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.gateway.dashboard.url_input import MAX_UPLOAD_BYTES

# A job's 10,000 URLs of 2,048 characters are 20 MB; real lists are a few hundred KB, and a
# template or an export request a few KB.
MAX_BODY_BYTES = 8 * 2**20
# NiceGUI's upload route, one per upload element: /_nicegui/client/{client}/upload/{element}
UPLOAD_PATH = re.compile(r"/_nicegui/client/[^/]+/upload/[^/]+")
# The multipart framing around the file: a boundary and a part's headers, far under this.
MULTIPART_SLACK = 16 * 1024


class UploadLimit:
    """413 for an upload to NiceGUI's routes above one URL list's size: at once when its
    Content-Length says so, else as soon as more has arrived. (FastAPI's per-route limit
    would put the app-wide one back on a mounted app's routes, so this one counts itself.)"""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_UPLOAD_BYTES + MULTIPART_SLACK) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not UPLOAD_PATH.fullmatch(scope["path"]):
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await PlainTextResponse("Content Too Large", status_code=413)(scope, receive, send)
            return
        await _Counted(self.app, self.max_bytes)(scope, receive, send)


class _Counted:
    """One upload without a declared size: past the limit it gets 413, and the route sees
    the client gone (its own error handling would make any exception a 500)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes
        self.received, self.refused, self.started = 0, False, False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def counted() -> Message:
            if self.refused:
                return {"type": "http.disconnect"}
            message = await receive()
            self.received += len(message.get("body", b""))
            if self.received > self.max_bytes and not self.started:
                self.refused = True
                await PlainTextResponse("Content Too Large", status_code=413)(scope, receive, send)
                return {"type": "http.disconnect"}
            return message

        async def sent(message: Message) -> None:
            self.started = self.started or message["type"] == "http.response.start"
            if not self.refused:  # the route's answer to a client it thinks gone
                await send(message)

        try:
            await self.app(scope, counted, sent)
        except Exception:
            if not self.refused:
                raise
