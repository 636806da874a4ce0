"""SSRF guard: only http(s) hosts whose every address is public, or in the allow-list.

One `Guard` answers for every route out (httpx hops, robots.txt, sitemaps, Chromium's proxy):
it resolves a host once, checks every answer and hands back the checked addresses, which are
the only ones a connection may then use (no second lookup a rebinding DNS could answer)."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from urllib.parse import urlsplit

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[list[str]]]

# Cloud metadata services answer on these even where link-local is routed.
_METADATA = (ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254"))
# IPv6 forms that carry an IPv4 address a gateway or the kernel will reach: judged by it.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
CACHE_TTL_S, CACHE_HOSTS = 30.0, 4096


class Refused(Exception):
    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason, self.detail = reason, detail


def embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped or address.sixtofour:
        return address.ipv4_mapped or address.sixtofour
    if address in _NAT64 or address in _IPV4_COMPATIBLE:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def is_forbidden(address: Address, allowed: Sequence[Network]) -> bool:
    if any(address in net for net in allowed):
        return False
    inner = embedded_ipv4(address) if isinstance(address, ipaddress.IPv6Address) else None
    if inner is not None:
        return is_forbidden(inner, allowed)
    if address in _METADATA:
        return True
    return not address.is_global or address.is_multicast


def split_target(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise Refused("unsupported_scheme", parts.scheme or "no scheme")
    if not parts.hostname:
        raise Refused("invalid_url", url)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise Refused("invalid_url", str(exc)) from None
    return parts.hostname, port


async def system_resolver(host: str, port: int) -> list[str]:
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise Refused("dns", f"{host}: {exc}") from None
    except UnicodeError as exc:  # an invalid label such as "a..b" fails IDNA encoding
        raise Refused("invalid_host", f"{host}: {exc}") from None
    return [str(info[4][0]) for info in infos]


class Guard:
    """The egress policy plus a short per-host cache of resolved, checked addresses."""

    def __init__(
        self,
        allowed: Sequence[Network],
        resolver: Resolver = system_resolver,
        ttl_s: float = CACHE_TTL_S,
    ) -> None:
        self.allowed, self.resolver, self.ttl_s = allowed, resolver, ttl_s
        self._cache: OrderedDict[str, tuple[float, list[Address]]] = OrderedDict()

    async def check(self, url: str) -> None:
        """Raises Refused when the URL may not be fetched."""
        await self.addresses(*split_target(url))

    async def addresses(self, host: str, port: int) -> list[Address]:
        """The host's addresses, each checked; a connection must use one of these."""
        found = await self._resolve(host.lower().strip("[]"), port)
        for address in found:
            if is_forbidden(address, self.allowed):
                raise Refused("ssrf_refused", f"{host} resolves to {address}")
        return found

    async def _resolve(self, host: str, port: int) -> list[Address]:
        try:
            return [ipaddress.ip_address(host)]  # a literal needs no lookup
        except ValueError:
            pass
        cached = self._cache.get(host)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        found = [ipaddress.ip_address(a) for a in await self.resolver(host, port)]
        if not found:
            raise Refused("dns", f"{host}: no address")
        self._remember(host, found)
        return found

    def _remember(self, host: str, found: list[Address]) -> None:
        if self.ttl_s <= 0:
            return
        self._cache[host] = (time.monotonic() + self.ttl_s, found)
        self._cache.move_to_end(host)
        while len(self._cache) > CACHE_HOSTS:
            self._cache.popitem(last=False)
