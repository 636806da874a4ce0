"""Pure verdicts on a fetched page: worth tokens, script-rendered, or an empty shell."""

from __future__ import annotations

import re
from dataclasses import dataclass

from htmldate import find_date
from lxml import html as lxml_html
from lxml.etree import ParserError

NEAR_EMPTY_CHARS = 200
_CHALLENGE_MARKS = ("cf-browser-verification", "challenge-platform", "cf_chl_")
_CHALLENGE_TITLES = re.compile(r"^(just a moment|attention required|access denied|are you a robot)")
_LOGIN = re.compile(
    r"(sign|log)\s?in to (continue|read|view)|please (sign|log) ?in|members only", re.I
)
_SOFT_404 = re.compile(r"\b404\b|page not found|seite nicht gefunden|no longer available", re.I)
_APP_ROOT = re.compile(r"<div[^>]+id=[\"'](root|app|__next|__nuxt)[\"'][^>]*>\s*</div>", re.I)
_NOSCRIPT_HINT = re.compile(r"<noscript>[^<]*(enable|requires?|need)[^<]*javascript", re.I)


@dataclass(frozen=True)
class Page:
    html: str
    text: str
    title: str
    published: str | None = None


def _published(root: lxml_html.HtmlElement) -> str | None:
    try:
        found = find_date(root, extensive_search=False, outputformat="%Y-%m-%d")
    except (ValueError, TypeError):
        return None
    return str(found) if found else None


def parse(html: str) -> Page:
    """Visible text and title, and the publication date (read before scripts are dropped:
    JSON-LD metadata lives in script tags); one lxml parse serves all three."""
    try:
        root = lxml_html.document_fromstring(html)
    except (ParserError, ValueError):
        return Page(html, "", "")
    published = _published(root)
    for node in root.xpath("//script|//style|//noscript|//template"):
        node.drop_tree()
    title = " ".join((root.findtext(".//title") or "").split())
    body = root.find("body")
    text = " ".join((body if body is not None else root).text_content().split())
    return Page(html, text, title.strip(), published)


def script_rendered(page: Page) -> bool:
    """The page probably needs a browser: little text plus an empty app root or a hint."""
    if len(page.text) >= NEAR_EMPTY_CHARS:
        return False
    return bool(
        _APP_ROOT.search(page.html)
        or _NOSCRIPT_HINT.search(page.html)
        or page.html.count("<script") >= 3
    )


def skip_reason(page: Page) -> str | None:
    """Why a page should not cost tokens, or None when it has content."""
    short = len(page.text) < 4 * NEAR_EMPTY_CHARS
    head = page.html[:20000].lower()
    if _CHALLENGE_TITLES.match(page.title.lower()) or any(m in head for m in _CHALLENGE_MARKS):
        return "blocked"
    # Captcha widgets also sit under comment forms of real articles: they block short pages.
    if short and "captcha" in page.html.lower():
        return "blocked"
    if (short and 'type="password"' in page.html.replace("'", '"')) or _LOGIN.search(page.title):
        return "login_wall"
    if short and (_SOFT_404.search(page.title) or _SOFT_404.search(page.text[:300])):
        return "soft_404"
    if len(page.text) < NEAR_EMPTY_CHARS:
        return "near_empty"
    return None
