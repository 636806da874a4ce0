"""An httpx client whose every TCP connection goes to an address the guard has just checked.

The URL, Host header and TLS SNI stay the hostname's; only the socket's peer is pinned, so a
DNS answer that changes between the check and the connect (rebinding) is never used."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import httpcore
import httpx
from httpcore import AnyIOBackend, AsyncNetworkBackend, AsyncNetworkStream

from services.spider.guard import Guard


class PinnedBackend(AsyncNetworkBackend):
    def __init__(self, guard: Guard) -> None:
        self.guard = guard
        self._inner = AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> AsyncNetworkStream:
        """Connects to the first checked address that answers; raises guard.Refused."""
        addresses = await self.guard.addresses(host, port)
        for address in addresses[:-1]:
            try:
                return await self._inner.connect_tcp(
                    str(address), port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout):
                continue
        last = str(addresses[-1])
        return await self._inner.connect_tcp(last, port, timeout, local_address, socket_options)

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are not a web target")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class PinnedTransport(httpx.AsyncHTTPTransport):
    """httpx's own transport (request mapping, error mapping) over a pinned connection pool.

    httpx takes no network backend, so the pool it builds is replaced by an equal one that
    has ours."""

    def __init__(self, guard: Guard) -> None:
        super().__init__(http2=True)
        limits = httpx.Limits()  # httpx's defaults, as the transport above got
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            http1=True,
            http2=True,
            network_backend=PinnedBackend(guard),
        )


def pinned_client(guard: Guard, user_agent: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=PinnedTransport(guard),
        follow_redirects=False,
        headers={"User-Agent": user_agent},
        timeout=httpx.Timeout(15.0, connect=10.0),
        trust_env=False,  # a proxy from the environment would resolve names itself
    )
