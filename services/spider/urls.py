"""Pure URL handling: normalisation for de-duplication, same-site links, sitemap entries."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit, urlunsplit

from lxml import html as lxml_html
from lxml.etree import ParserError

_LOC = re.compile(rb"<loc>\s*([^<\s]+)\s*</loc>", re.I)
_SKIP_EXT = re.compile(
    r"\.(jpe?g|png|gif|svg|webp|pdf|zip|gz|mp[34]|avi|mov|css|js|ico|woff2?)$", re.I
)


def normalize(url: str) -> str | None:
    """Canonical form (lowercase scheme and host, no default port, no fragment), or None."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    scheme = parts.scheme.lower()
    default = {"http": 80, "https": 443}[scheme]
    host = parts.hostname.lower() + (f":{port}" if port and port != default else "")
    return urlunsplit((scheme, host, parts.path or "/", parts.query, ""))


def same_site(url: str, seed: str) -> bool:
    host, seed_host = urlsplit(url).hostname or "", urlsplit(seed).hostname or ""
    return host == seed_host or host.removeprefix("www.") == seed_host.removeprefix("www.")


def links(html: str, base: str) -> list[str]:
    """Same-site page links of a document, normalised, in document order, once each."""
    try:
        root = lxml_html.document_fromstring(html)
    except (ParserError, ValueError):
        return []
    found: dict[str, None] = {}
    for href in root.xpath("//a/@href"):
        url = normalize(urljoin(base, str(href)))
        if url and same_site(url, base) and not _SKIP_EXT.search(urlsplit(url).path):
            found.setdefault(url, None)
    return list(found)


def sitemap_urls(body: bytes, seed: str) -> list[str]:
    urls = (normalize(m.group(1).decode(errors="replace")) for m in _LOC.finditer(body))
    return [u for u in dict.fromkeys(urls) if u and same_site(u, seed)]
