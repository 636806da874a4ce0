"""A guarded egress proxy for one browser context: every request Chromium makes passes the guard.

Chromium sends plain HTTP in absolute form and HTTPS and WebSockets as CONNECT tunnels; either
way the target is resolved once by the guard and the proxy connects to a checked address. A
plain request gets its own upstream connection and both sides close after it, so a kept-alive
proxy connection never carries a second request to a host that was not checked."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Coroutine
from types import TracebackType
from typing import Any

from services.spider import httphead
from services.spider.guard import Address, Guard, Refused

HEAD_TIMEOUT_S = 10.0
CONNECT_TIMEOUT_S = 10.0
_CHUNK = 65536
Streams = tuple[asyncio.StreamReader, asyncio.StreamWriter]


class GuardedProxy:
    def __init__(self, guard: Guard) -> None:
        self.guard = guard
        self.refused: dict[tuple[str, int], Refused] = {}  # what Chromium was refused, and why
        self._sessions: set[asyncio.Task[None]] = set()
        self._server: asyncio.Server | None = None

    @property
    def url(self) -> str:
        assert self._server is not None, "use the proxy as an async context manager"
        return f"http://127.0.0.1:{self._server.sockets[0].getsockname()[1]}"

    async def __aenter__(self) -> GuardedProxy:
        self._server = await asyncio.start_server(self._session, "127.0.0.1", 0)
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        assert self._server is not None
        self._server.close()
        for task in list(self._sessions):
            task.cancel()
        await asyncio.gather(*self._sessions, return_exceptions=True)

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._sessions.add(task)
        try:
            await self._serve(reader, writer)
        except (OSError, ValueError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass  # a malformed or dropped request only ends its own connection
        finally:
            self._sessions.discard(task)
            writer.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        async with asyncio.timeout(HEAD_TIMEOUT_S):
            request = httphead.parse_request(await reader.readuntil(b"\r\n\r\n"))
        host, port = httphead.destination(request)
        try:
            addresses = await self.guard.addresses(host, port)
        except Refused as exc:
            self.refused[(host.lower(), port)] = exc
            writer.write(httphead.refusal(exc.reason))
            return await writer.drain()
        try:
            upstream = await _connect(addresses, port)
        except OSError:
            writer.write(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
            return await writer.drain()
        try:
            await self._relay(request, (reader, writer), upstream)
        finally:
            upstream[1].close()

    async def _relay(self, request: httphead.Request, client: Streams, upstream: Streams) -> None:
        if request.tunnel:
            client[1].write(b"HTTP/1.1 200 Connection established\r\n\r\n")
            return await _first_done(_pipe(client[0], upstream[1]), _pipe(upstream[0], client[1]))
        upstream[1].write(httphead.origin_form(request))
        upstream[1].write(await client[0].readexactly(httphead.body_length(request)))
        await _first_done(_response(upstream[0], client[1]), _drain(client[0]))

    def refusal(self, host: str, port: int) -> Refused | None:
        return self.refused.get((host.lower(), port))


async def _connect(addresses: list[Address], port: int) -> Streams:
    """Connects to the first checked address that answers, never to a fresh lookup."""
    error = OSError("no address")
    for address in addresses:
        try:
            async with asyncio.timeout(CONNECT_TIMEOUT_S):
                return await asyncio.open_connection(str(address), port)
        except OSError as exc:  # TimeoutError included
            error = exc
    raise error


async def _first_done(*flows: Coroutine[Any, Any, None]) -> None:
    tasks = [asyncio.ensure_future(f) for f in flows]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def _pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
    while data := await source.read(_CHUNK):
        sink.write(data)
        await sink.drain()


async def _response(upstream: asyncio.StreamReader, client: asyncio.StreamWriter) -> None:
    client.write(httphead.closing_response(await upstream.readuntil(b"\r\n\r\n")))
    await _pipe(upstream, client)


async def _drain(client: asyncio.StreamReader) -> None:
    """Reads and drops what the browser sends after its request, to notice when it hangs up."""
    with contextlib.suppress(OSError):
        while await client.read(_CHUNK):
            pass
