"""Recursive token chunking on real corpus text."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from services.refiner.chunking import chunk_spans
from services.refiner.extract import extract
from services.refiner.fingerprint import exact_key as dedup_key
from services.refiner.fingerprint import words
from shared.tokens import cl100k

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "web"


def count(text: str) -> int:
    return len(cl100k().encode(text, disallowed_special=()))


@pytest.fixture(scope="module")
def texts() -> list[str]:
    pages = sorted(CORPUS.glob("*.html"))[:12]
    return [t for t in (extract(p.read_text(errors="replace")).text for p in pages) if t]


@pytest.mark.parametrize("limit", [64, 512])
def test_chunks_stay_within_the_token_limit_and_cover_the_text(
    texts: list[str], limit: int
) -> None:
    for text in texts:
        spans = chunk_spans(text, limit, count)
        assert spans
        for span in spans:
            assert span.tokens == count(text[span.start : span.end])
            assert span.tokens <= limit or " " not in text[span.start : span.end].strip()
        covered = "".join(text[s.start : s.end] for s in spans)
        assert "".join(covered.split()) == "".join(text.split())


def test_chunks_never_end_inside_a_word(texts: list[str]) -> None:
    for text in texts:
        for span in chunk_spans(text, 48, count):
            if span.end < len(text):
                assert not (text[span.end - 1].isalnum() and text[span.end].isalnum())
            if span.start > 0:
                assert not (text[span.start - 1].isalnum() and text[span.start].isalnum())


def test_overlap_repeats_the_tail_of_the_previous_chunk() -> None:
    text = " ".join(f"Sentence number {i} says something." for i in range(200))
    spans = chunk_spans(text, 60, count, overlap=15)
    assert len(spans) > 3
    for before, after in itertools.pairwise(spans):
        assert after.start < before.end, "consecutive chunks share text"
        assert after.tokens <= 60


def test_a_text_under_the_limit_is_one_chunk() -> None:
    spans = chunk_spans("Short text. Two sentences.", 512, count)
    assert [(s.start, s.end) for s in spans] == [(0, 26)]


def test_dedup_key_ignores_case_punctuation_and_spacing() -> None:
    assert dedup_key(words("Hello,  World!")) == dedup_key(words("hello world"))
    assert dedup_key(words("hello world")) != dedup_key(words("hello there world"))
