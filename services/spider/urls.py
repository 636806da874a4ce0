"""Pure URL handling: normalisation for de-duplication, same-site links, sitemap entries."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from lxml import html as lxml_html
from lxml.etree import ParserError

from shared.contract.urls import normalise

_LOC = re.compile(rb"<loc>\s*([^<\s]+)\s*</loc>", re.I)
_SKIP_EXT = re.compile(
    r"\.(jpe?g|png|gif|svg|webp|pdf|zip|gz|mp[34]|avi|mov|css|js|ico|woff2?)$", re.I
)


def normalize(url: str) -> str | None:
    """The canonical form of a discovered URL, or None when it is not a usable web URL."""
    try:
        return normalise(url)
    except ValueError:
        return None


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
