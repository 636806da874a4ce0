"""Pure verdicts on a fetched page, all read from one lxml parse: worth tokens, script-rendered."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from htmldate import find_date
from lxml import etree
from lxml import html as lxml_html
from lxml.etree import ParserError

NEAR_EMPTY_CHARS = 200
SHORT_CHARS = 4 * NEAR_EMPTY_CHARS
# What the markup says beyond its text: `parse` finds them, the verdicts below only read them.
Sign = Literal["app_root", "noscript_hint", "scripts", "challenge", "captcha", "password"]
_SCRIPT_SIGNS: frozenset[Sign] = frozenset({"app_root", "noscript_hint", "scripts"})
_HIDDEN = ("script", "style", "noscript", "template")

_CHALLENGE_MARKS = ("cf-browser-verification", "challenge-platform", "cf_chl_")
_CHALLENGE_TITLES = re.compile(r"^(just a moment|attention required|access denied|are you a robot)")
_LOGIN = re.compile(
    r"(sign|log)\s?in to (continue|read|view)|please (sign|log) ?in|members only", re.I
)
_SOFT_404 = re.compile(r"\b404\b|page not found|seite nicht gefunden|no longer available", re.I)
_NOSCRIPT_HINT = re.compile(r"(enable|requires?|need).*javascript", re.I | re.S)
_LANG = re.compile(r"[A-Za-z]{2,3}")
_EMPTY_APP_ROOT = etree.XPath(
    "boolean(//div[@id='root' or @id='app' or @id='__next' or @id='__nuxt']"
    "[not(*)][not(normalize-space())])"
)
_PASSWORD = etree.XPath("boolean(//input[@type='password'])")
# lxml refuses a str that opens with an XML declaration naming an encoding (ValueError); once
# decoded, the declaration (and a byte order mark) only misstates the text, so it goes.
_PROLOGUE = re.compile(r"\A\ufeff?\s*(<\?xml[^>]*\?>)?", re.I)


@dataclass(frozen=True)
class Page:
    html: str
    text: str
    title: str
    published: str | None = None
    lang: str | None = None  # the declared <html lang>, primary subtag, lower case
    signs: frozenset[Sign] = frozenset()


@dataclass(frozen=True)
class Got:
    """The page to keep, with where and how it arrived."""

    page: Page
    final_url: str
    status_code: int
    kind: str  # its media type
    charset: str
    renderer: Literal["httpx", "browser"] = "httpx"


def parse(html: str) -> Page:
    """Visible text, title, date, declared language and signs, from one lxml parse."""
    html = _PROLOGUE.sub("", html, count=1)
    try:
        root = lxml_html.document_fromstring(html)
    except (ParserError, ValueError):
        return Page(html, "", "")
    # Read before scripts go: JSON-LD metadata and script-rendering hints live in them.
    published, signs = _published(root), _hidden_signs(list(root.iter(*_HIDDEN)))
    etree.strip_elements(root, *_HIDDEN, with_tail=False)
    title = " ".join((root.findtext(".//title") or "").split())
    body = root.find("body")
    text = " ".join((body if body is not None else root).text_content().split())
    signs |= _page_signs(root, html, len(text))
    return Page(html, text, title, published, _declared_lang(root), frozenset(signs))


def _published(root: lxml_html.HtmlElement) -> str | None:
    try:
        found = find_date(root, extensive_search=False, outputformat="%Y-%m-%d")
    except (ValueError, TypeError):
        return None
    return str(found) if found else None


def _hidden_signs(hidden: list[lxml_html.HtmlElement]) -> set[Sign]:
    """Signs in the script and noscript elements, which the visible text leaves out."""
    signs: set[Sign] = set()
    if sum(node.tag == "script" for node in hidden) >= 3:
        signs.add("scripts")
    if any(node.tag == "noscript" and _NOSCRIPT_HINT.search(node.text or "") for node in hidden):
        signs.add("noscript_hint")
    return signs


def _page_signs(root: lxml_html.HtmlElement, html: str, chars: int) -> set[Sign]:
    """Signs that count only on pages with little text are looked for only there. An app root
    is looked for once scripts are gone, so one holding only a script is empty. Challenge
    marks sit in script URLs, inline code and ids alike: they are looked for in the raw head,
    where challenge pages put them (Cloudflare injects the same script at the end of ordinary
    pages); captchas likewise, in the markup of short pages."""
    signs: set[Sign] = set()
    head = html[:20000].lower()
    if any(mark in head for mark in _CHALLENGE_MARKS):
        signs.add("challenge")
    if chars < NEAR_EMPTY_CHARS and _EMPTY_APP_ROOT(root):
        signs.add("app_root")
    if chars < SHORT_CHARS and "captcha" in html.lower():
        signs.add("captcha")
    if chars < SHORT_CHARS and _PASSWORD(root):
        signs.add("password")
    return signs


def _declared_lang(root: lxml_html.HtmlElement) -> str | None:
    match = _LANG.match(root.get("lang") or "")
    return match.group(0).lower() if match else None


def script_rendered(page: Page) -> bool:
    """The page probably needs a browser: little text plus an empty app root, a noscript
    hint or several scripts."""
    return len(page.text) < NEAR_EMPTY_CHARS and bool(page.signs & _SCRIPT_SIGNS)


def skip_reason(page: Page) -> str | None:
    """Why a page should not cost tokens, or None when it has content."""
    short = len(page.text) < SHORT_CHARS
    if "challenge" in page.signs or _CHALLENGE_TITLES.match(page.title.lower()):
        return "blocked"
    if short and "captcha" in page.signs:
        return "blocked"
    if (short and "password" in page.signs) or _LOGIN.search(page.title):
        return "login_wall"
    if short and (_SOFT_404.search(page.title) or _SOFT_404.search(page.text[:300])):
        return "soft_404"
    if len(page.text) < NEAR_EMPTY_CHARS:
        return "near_empty"
    return None
