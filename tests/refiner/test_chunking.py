"""Recursive token chunking on real corpus text."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from services.refiner.chunking import chunk_spans
from services.refiner.extract import extract
from services.refiner.fingerprint import exact_key as dedup_key
from services.refiner.fingerprint import words
from shared.contract.tokens import cl100k

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


def test_chunks_break_at_paragraphs_before_sentences_and_sentences_before_words() -> None:
    para = " ".join(f"Paragraph sentence {i} has a few words." for i in range(6))
    text = "\n\n".join([para] * 8)
    for span in chunk_spans(text, 120, count):
        assert text[span.start : span.end].endswith("words.")
        assert span.end == len(text) or text[span.end : span.end + 2] == "\n\n"
    long_para = " ".join(f"Sentence {i} is here." for i in range(200))
    for span in chunk_spans(long_para, 50, count)[:-1]:
        assert long_para[span.start : span.end].endswith("here.")
    run_on = " ".join(f"word{i}" for i in range(400))
    spans = chunk_spans(run_on, 40, count)
    assert len(spans) > 5 and all(s.tokens <= 40 for s in spans)


def test_a_word_longer_than_the_limit_stays_whole() -> None:
    text = "short words then " + "x" * 3000 + " and more"
    spans = chunk_spans(text, 64, count)
    assert any(s.tokens > 64 and text[s.start : s.end] == "x" * 3000 for s in spans)
