"""The spider's pure decisions: which responses are pages, which need a browser, what counts
as a skip rather than a failure."""

from __future__ import annotations

import pytest

from services.spider import logic
from services.spider.fetch import FetchFailed
from services.spider.page import parse

ARTICLE = "<html><body><article>" + "<p>Real words about chisels and planes.</p>" * 40


def test_html_responses_are_pages_and_other_types_are_skipped() -> None:
    assert logic.html_type("text/html; charset=utf-8") == "text/html"
    assert logic.html_type("Application/XHTML+XML") == "application/xhtml+xml"
    with pytest.raises(FetchFailed) as refused:
        logic.html_type("application/pdf")
    assert (refused.value.reason, logic.outcome_of(refused.value.reason)) == ("not_html", "skipped")


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
