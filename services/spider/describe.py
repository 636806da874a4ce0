"""Pure page metadata: title, language, publication date, content hash."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import py3langid

from services.spider.page import Page


@dataclass(frozen=True)
class Meta:
    title: str | None
    language: str | None
    published: str | None
    content_hash: str


def language_of(page: Page) -> str | None:
    """The declared <html lang>, else the language detected in the visible text."""
    if page.lang:
        return page.lang
    if len(page.text) < 40:
        return None
    return str(py3langid.classify(page.text[:1500])[0])


def describe(page: Page) -> Meta:
    digest = hashlib.sha256(page.html.encode("utf-8", errors="replace")).hexdigest()
    return Meta(page.title or None, language_of(page), page.published, digest)


def warm() -> None:
    """Loads the language model (about half a second) before the first page needs it."""
    py3langid.classify("A sentence that loads the language model.")
