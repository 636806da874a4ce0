"""One canonical form for URLs, so a job fetches each page once however it was written."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

MAX_URL_LENGTH = 2048
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _check_host(host: str) -> None:
    """DNS's shape for names: labels of 1-63 characters, 253 in all (a trailing dot allowed)."""
    if ":" in host:
        return  # an IPv6 literal, already parsed by urlsplit
    labels = host.removesuffix(".").split(".")
    if len(host) > 253 or any(not 0 < len(label) <= 63 for label in labels):
        raise ValueError("invalid host")
    if any(c.isspace() or not c.isprintable() for c in host):
        raise ValueError("invalid host")


def normalise(raw: str) -> str:
    """Lowercase scheme and host, no credentials, no default port, no fragment, "/" for an
    empty path; raises ValueError with the reason a URL is unusable."""
    text = raw.strip()
    if not text:
        raise ValueError("empty")
    if len(text) > MAX_URL_LENGTH:
        raise ValueError("too long")
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise ValueError(f"unsupported scheme {scheme!r}" if scheme else "missing scheme")
    if not parts.hostname:
        raise ValueError("missing host")
    try:
        port = parts.port
    except ValueError:
        raise ValueError("invalid port") from None
    _check_host(parts.hostname)
    # user:pass@ would be sent as credentials and kept in every event and export.
    netloc = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    netloc += f":{port}" if port and port != _DEFAULT_PORTS[scheme] else ""
    return urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))


# Submitted URLs sorted into usable ones (normalised, once each) and rejected ones.
@dataclass(frozen=True)
class Rejected:
    url: str
    reason: str


def partition(raws: list[str]) -> tuple[list[str], list[Rejected]]:
    """Valid URLs in submission order without duplicates, and the rejected ones with reasons."""
    valid: dict[str, None] = {}  # an ordered set
    rejected: list[Rejected] = []
    for raw in raws:
        try:
            url = normalise(raw)
        except ValueError as exc:
            rejected.append(Rejected(raw, str(exc)))
            continue
        valid.setdefault(url)
    return list(valid), rejected
