"""URL normalisation of submitted jobs: pure, no I/O."""

from __future__ import annotations

import pytest

from shared.contract.urls import Rejected, normalise, partition


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://Example.COM/Path?q=1#section", "https://example.com/Path?q=1"),
        ("  http://example.com  ", "http://example.com/"),
        ("HTTPS://example.com:8443/a", "https://example.com:8443/a"),
        ("http://Example.com:80/a", "http://example.com/a"),
        ("https://user:Secret@Example.com:443", "https://example.com/"),
        ("http://[::1]:8080/x", "http://[::1]:8080/x"),
    ],
)
def test_urls_are_normalised_without_fragments(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "empty"),
        ("ftp://example.com/file", "unsupported scheme 'ftp'"),
        ("javascript:alert(1)", "unsupported scheme 'javascript'"),
        ("example.com/page", "missing scheme"),
        ("https:///path-only", "missing host"),
        ("http://example.com:99999/", "invalid port"),
        ("https://example.com/" + "a" * 3000, "too long"),
        ("http://a..b/", "invalid host"),
        ("http://" + "a" * 64 + ".example/", "invalid host"),
    ],
)
def test_unusable_urls_are_rejected_with_a_reason(raw: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        normalise(raw)


def test_partition_keeps_submission_order_and_drops_duplicates() -> None:
    valid, rejected = partition(
        ["https://b.example/", "https://a.example/#x", "mailto:x@y.z", "https://B.example/"]
    )
    assert valid == ["https://b.example/", "https://a.example/"]
    assert rejected == [Rejected("mailto:x@y.z", "unsupported scheme 'mailto'")]
