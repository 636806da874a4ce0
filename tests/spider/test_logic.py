"""The spider's pure decisions: which responses are pages, which need a browser, what counts
as a skip rather than a failure."""

from __future__ import annotations

from services.spider import logic
from services.spider.page import parse

ARTICLE = "<html><body><article>" + "<p>Real words about chisels and planes.</p>" * 40


def test_html_responses_are_pages_and_other_types_are_skipped() -> None:
    assert logic.type_refusal("text/html; charset=utf-8") is None
    assert logic.media_type("Application/XHTML+XML") == "application/xhtml+xml"
    assert logic.type_refusal("Application/XHTML+XML") is None
    reason, detail = logic.type_refusal("application/pdf") or ("", "")
    assert (reason, detail, logic.outcome_of(reason)) == ("not_html", "application/pdf", "skipped")
    assert logic.type_refusal("") == ("not_html", "no content type")


def test_urls_that_do_not_normalise_fail_with_their_reason() -> None:
    assert logic.url_refusal("ftp://x", ValueError("unsupported scheme"))[0] == "unsupported_scheme"
    reason, detail = logic.url_refusal("http://", ValueError("no host"))
    assert reason == "invalid_url" and detail.startswith("'http://'")


def test_a_browser_renders_only_what_the_job_asks_for() -> None:
    shell = parse('<html><body><div id="root"></div><script src="a.js"></script></body></html>')
    article = parse(ARTICLE)
    assert logic.needs_browser(shell, "auto") and not logic.needs_browser(article, "auto")
    assert logic.needs_browser(article, "always") and not logic.needs_browser(shell, "never")


def test_fetch_errors_fail_and_unwanted_pages_are_skipped_with_a_reason() -> None:
    assert logic.outcome_of("timeout") == "failed" and logic.outcome_of("http_5xx") == "failed"
    assert logic.outcome_of("robots_disallowed") == "skipped"
    assert logic.rejection(parse(ARTICLE)) is None
    reason, detail = logic.rejection(parse("<html><body><p>Tiny.</p></body></html>")) or ("", "")
    assert reason == "near_empty" and detail.endswith("chars of text")
