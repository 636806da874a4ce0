"""Pure decisions on a fetched page: keep it, render it in a browser, or count it out."""

from __future__ import annotations

from typing import Literal

from services.spider.fetch import FetchFailed
from services.spider.page import Page, script_rendered, skip_reason

HTML_TYPES = ("text/html", "application/xhtml+xml")
# Outcomes that say the page is not worth tokens, as opposed to a fetch that went wrong.
SKIPS = frozenset(
    {"not_html", "robots_disallowed", "blocked", "login_wall", "soft_404", "near_empty"}
)


def html_type(content_type: str) -> str:
    """The media type of an HTML response; any other type is a `not_html` skip."""
    kind = content_type.split(";")[0].strip().lower()
    if kind not in HTML_TYPES:
        raise FetchFailed("not_html", content_type or "no content type")
    return kind


def needs_browser(page: Page, use_playwright: Literal["auto", "always", "never"]) -> bool:
    return use_playwright == "always" or (use_playwright == "auto" and script_rendered(page))


def outcome_of(reason: str) -> Literal["skipped", "failed"]:
    return "skipped" if reason in SKIPS else "failed"


def rejection(page: Page) -> tuple[str, str] | None:
    """Why a page that arrived fine is still not kept, with a detail for the log."""
    reason = skip_reason(page)
    return (reason, f"{len(page.text)} chars of text") if reason else None
