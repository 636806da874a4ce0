"""Normalises submitted URLs: http(s) only, no fragments, no duplicates."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

MAX_URL_LENGTH = 2048


@dataclass(frozen=True)
class Rejected:
    url: str
    reason: str


def normalise(raw: str) -> str:
    """The canonical form of `raw`; raises ValueError with the reason it is unusable."""
    text = raw.strip()
    if not text:
        raise ValueError("empty")
    if len(text) > MAX_URL_LENGTH:
        raise ValueError("too long")
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise ValueError(f"unsupported scheme {scheme!r}" if scheme else "missing scheme")
    if not parts.hostname:
        raise ValueError("missing host")
    try:
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError:
        raise ValueError("invalid port") from None
    netloc = parts.netloc.lower() if "@" not in parts.netloc else parts.netloc
    return urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))


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
