"""Pure decisions of the spider: what a response means for the pipeline."""

from __future__ import annotations

import hashlib
import re
from html import unescape

HTML_TYPES = ("text/html", "application/xhtml+xml")
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_LANG = re.compile(r"<html[^>]*\slang=[\"']?([A-Za-z]{2,3})", re.IGNORECASE)


def failure_reason(status_code: int, content_type: str) -> str | None:
    """None when the response should go on to the refiner, else the outcome's reason."""
    if status_code >= 500:
        return "http_5xx"
    if status_code >= 400:
        return f"http_{status_code}"
    if content_type.split(";")[0].strip().lower() not in HTML_TYPES:
        return "not_html"
    return None


def title_of(html: str) -> str | None:
    match = _TITLE.search(html)
    return " ".join(unescape(match.group(1)).split())[:500] or None if match else None


def language_of(html: str) -> str | None:
    match = _LANG.search(html[:5000])
    return match.group(1).lower() if match else None


def content_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()
