"""SSRF guard: only http(s) URLs whose every address is public, or in the allow-list."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Sequence
from urllib.parse import urlsplit

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

# Cloud metadata services answer on these even where link-local is routed.
_METADATA = (ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254"))


class Refused(Exception):
    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason, self.detail = reason, detail


def is_forbidden(address: Address, allowed: Sequence[Network]) -> bool:
    if any(address in net for net in allowed):
        return False
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


async def check(url: str, allowed: Sequence[Network]) -> None:
    """Raises Refused when the URL may not be fetched; resolves the host to decide."""
    host, port = split_target(url)
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise Refused("dns", f"{host}: {exc}") from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if is_forbidden(address, allowed):
            raise Refused("ssrf_refused", f"{host} resolves to {address}")
