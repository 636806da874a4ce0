"""Pure decisions on a fetched page: keep it, render it in a browser, or count it out.

A refusal is a (reason, detail) pair: the handler turns it into the item's failure or skip."""

from __future__ import annotations

from typing import Literal

from services.spider.page import Page, script_rendered, skip_reason

HTML_TYPES = ("text/html", "application/xhtml+xml")
# Outcomes that say the page is not worth tokens, as opposed to a fetch that went wrong.
SKIPS = frozenset(
    {"not_html", "robots_disallowed", "blocked", "login_wall", "soft_404", "near_empty"}
)
Refusal = tuple[str, str]


def media_type(content_type: str) -> str:
    return content_type.split(";")[0].strip().lower()


def type_refusal(content_type: str) -> Refusal | None:
    """Why a response is not a page: any type but HTML is a `not_html` skip."""
    if media_type(content_type) in HTML_TYPES:
        return None
    return "not_html", content_type or "no content type"


def url_refusal(url: str, error: ValueError) -> Refusal:
    """Why a URL that does not normalise is not fetched."""
    reason = "unsupported_scheme" if "scheme" in str(error) else "invalid_url"
    return reason, f"{url[:200]!r}: {error}"


def needs_browser(page: Page, use_playwright: Literal["auto", "always", "never"]) -> bool:
    return use_playwright == "always" or (use_playwright == "auto" and script_rendered(page))


def outcome_of(reason: str) -> Literal["skipped", "failed"]:
    return "skipped" if reason in SKIPS else "failed"


def rejection(page: Page) -> Refusal | None:
    """Why a page that arrived fine is still not kept, with a detail for the log."""
    reason = skip_reason(page)
    return (reason, f"{len(page.text)} chars of text") if reason else None
