"""URL lists of the new-job form: pasted lines and uploaded .txt/.csv files, refused clearly."""

from __future__ import annotations

import pytest

from services.gateway.dashboard import url_input
from services.gateway.dashboard.url_input import UploadRefused


def test_pasted_lines_skip_blanks_and_comments() -> None:
    text = "https://a.example/x\n\n  # a note\n https://b.example/y \n"
    assert url_input.from_text(text) == ["https://a.example/x", "https://b.example/y"]


def test_a_csv_with_a_url_column_gives_that_column() -> None:
    data = b"title,URL\nA,https://a.example/x\nB,https://b.example/y\n"
    assert url_input.from_file("list.csv", data) == ["https://a.example/x", "https://b.example/y"]


def test_a_csv_without_a_url_column_gives_each_rows_first_cell() -> None:
    data = "\ufeffhttps://a.example/x,first\nhttps://b.example/y,second\n".encode()
    assert url_input.from_file("list.CSV", data) == ["https://a.example/x", "https://b.example/y"]


def test_an_oversized_upload_is_refused_with_the_limit() -> None:
    data = b"https://a.example/\n" * (url_input.MAX_UPLOAD_BYTES // 19 + 1)
    with pytest.raises(UploadRefused, match="more than the 1,000,000"):
        url_input.from_file("big.txt", data)


def test_other_files_and_other_encodings_are_refused_with_the_reason() -> None:
    with pytest.raises(UploadRefused, match=r"only \.txt"):
        url_input.from_file("urls.xlsx", b"https://a.example/")
    with pytest.raises(UploadRefused, match="not UTF-8"):
        url_input.from_file("urls.txt", b"https://a.example/\xff\xfe")
