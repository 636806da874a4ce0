"""The refiner's pure steps: extraction, language, junk verdicts, fingerprints, a whole page."""

from __future__ import annotations

import random

import pytest

from services.refiner import extract, fingerprint, junk, language, logic
from shared.contract.config import ProcessingConfig
from tests.refiner.pages import article, edited, paragraphs

EN, DE, FR = paragraphs("en"), paragraphs("de"), paragraphs("fr")


def test_markdown_keeps_headings_lists_and_tables_and_drops_inline_markup() -> None:
    page = (
        "<html><body><article><h2>Heading here</h2><p>Some <b>bold</b> and <i>slanted</i> "
        "text with <code>a_b</code>, a literal * star, [1] and snake_case words, long enough "
        "for the extractor to keep this paragraph as the main content of the page.</p>"
        "<ul><li>first item</li><li>second item</li></ul>"
        "<table><tr><th>A</th><th>B</th></tr><tr><td>1</td><td>2</td></tr></table>"
        "</article></body></html>"
    )
    found = extract.extract(page)
    assert found.extractor == "trafilatura"
    assert "## Heading here" in found.text
    assert "Some bold and slanted text with a_b, a literal * star, [1] and snake_case" in found.text
    assert "- first item\n- second item" in found.text
    assert "| A | B |" in found.text and "| 1 | 2 |" in found.text


def test_code_blocks_keep_their_characters() -> None:
    assert (
        extract.clean_markdown("```\nx = a*b_c\n```\n\n**bold** \\*")
        == "```\nx = a*b_c\n```\n\nbold *"
    )


def test_falls_back_to_the_baseline_extractor_when_trafilatura_finds_nothing() -> None:
    # Comment sections are not main text to trafilatura; the baseline takes what there is.
    page = '<html><body><div class="comments">A reader wrote this line.</div></body></html>'
    found = extract.extract(page)
    assert (found.text, found.extractor) == ("A reader wrote this line.", "baseline")
    assert extract.extract("<html><body><script>x()</script></body></html>").extractor == "none"


@pytest.mark.parametrize(
    ("html", "reason"),
    [
        ("", "empty_html"),
        ("  \n\t ", "empty_html"),
        (random.Random(1).randbytes(4000).decode("utf-8", errors="replace"), "binary_content"),
        ("\x00\x01\x02" * 500, "binary_content"),
        ("<html><body><p>fine</p></body></html>", None),
    ],
)
def test_unusable_input_is_named(html: str, reason: str | None) -> None:
    assert extract.unusable(html) == reason


def test_detects_languages_and_abstains_on_short_text() -> None:
    assert [language.detect(p[0]) for p in (EN, DE, FR)] == ["en", "de", "fr"]
    assert language.detect("Impressum") is None


def test_document_language_is_that_of_most_text_else_the_declared_one() -> None:
    chunks = [("a" * 300, "de"), ("b" * 100, "en"), ("c" * 50, None)]
    assert language.of_document(chunks, "en") == "de"
    assert language.of_document([("short", None)], "en-US") == "en"
    assert language.of_document([], None) is None


def test_language_filter_refuses_other_and_unknown_languages() -> None:
    assert not language.refused("fr", ())
    assert not language.refused("de", ("de", "en"))
    assert language.refused("fr", ("de", "en"))
    assert language.refused(None, ("de",))


@pytest.mark.parametrize(
    ("text", "tokens", "reason"),
    [
        ("Too few tokens here.", 5, "too_short"),
        ("x" * 4000, 600, "unsplittable"),
        ("| --- | --- |\n| ### | *** |\n| !!! | ??? |\n" * 4, 60, "mostly_symbols"),
        ("The same line again and again.\n" * 6 + "Something else.", 60, "repeated_lines"),
        (
            "Accept all cookies\nPrivacy policy\nTerms of use\nSubscribe to our newsletter\nA line",
            40,
            "boilerplate",
        ),
        (
            "\n".join(["Home", "About us", "Shop", "Blog", "Jobs", "Press", "Team", "Help"]),
            40,
            "menu_like",
        ),
        (EN[0], 100, None),
        ("\n".join(f"- {p[:120]}" for p in DE[:6]), 200, None),
        # A page of random words: the corpus article's vocabulary in a random order.
        (" ".join(random.Random(1).sample(sorted(set(" ".join(DE).split())), 300)), 400, "few"),
        ("This is an example answer. " * 8, 60, "filler"),
        ("The bridge is a bridge and it is red. " * 10, 100, "duplicate_sentences"),
        ("It was designed by John Fowler and Benjamin Baker, " * 8, 100, "top_3_gram"),
    ],
)
def test_junk_verdicts_name_their_reason(text: str, tokens: int, reason: str | None) -> None:
    found = junk.verdict(text, tokens, min_tokens=24, max_tokens=512, language="en")
    assert found == reason or (reason and found and found.startswith(reason)), found


def test_the_coherence_rules_keep_every_corpus_paragraph() -> None:
    for lang, texts in (("en", EN), ("de", DE), ("fr", FR)):
        for text in texts:
            assert junk.verdict(text, 100, 24, 512, lang) is None, text


def test_exact_key_ignores_case_punctuation_and_spacing() -> None:
    key = fingerprint.exact_key
    assert key(fingerprint.words("Hello,  World!")) == key(fingerprint.words("hello world"))
    assert key(fingerprint.words("hello world")) != key(fingerprint.words("hello there world"))


def test_shingles_are_word_ngrams_and_short_texts_one_shingle() -> None:
    words = fingerprint.words("One two three four five six")
    assert fingerprint.shingles(words, 5) == [
        b"one two three four five",
        b"two three four five six",
    ]
    assert fingerprint.shingles(["just", "two"], 5) == [b"just two"]


def test_signature_similarity_estimates_jaccard() -> None:
    text = " ".join(EN)
    near = " ".join(edited(list(EN), every=200))
    sig = fingerprint.signature(fingerprint.words(text), 5)
    assert len(sig) == fingerprint.NUM_PERM * fingerprint.WIDTH
    assert fingerprint.signature(fingerprint.words(text), 5) == sig, "stable across calls"
    assert fingerprint.similarity(sig, fingerprint.signature(fingerprint.words(near), 5)) > 0.85
    other = fingerprint.signature(fingerprint.words(" ".join(DE)), 5)
    assert fingerprint.similarity(sig, other) < 0.1


@pytest.mark.parametrize(
    ("threshold", "shape"), [(0.5, (25, 5)), (0.8, (9, 13)), (0.9, (5, 25)), (1.0, (1, 128))]
)
def test_lsh_shape_matches_datasketch_and_accepts_thresholds_near_one(
    threshold: float, shape: tuple[int, int]
) -> None:
    assert fingerprint.lsh_shape(threshold) == shape


def test_near_duplicates_share_a_band_and_unrelated_texts_do_not() -> None:
    shape = fingerprint.lsh_shape(0.8)
    bands = [
        set(fingerprint.bands(fingerprint.signature(fingerprint.words(t), 5), shape))
        for t in (" ".join(EN), " ".join(edited(list(EN), every=300)), " ".join(DE))
    ]
    assert len(bands[0]) == shape[0]
    assert bands[0] & bands[1]
    assert not bands[0] & bands[2]


def test_a_page_becomes_chunks_with_languages_verdicts_and_fingerprints() -> None:
    config = ProcessingConfig(chunk_size=128)
    doc = logic.refine(article(list(EN[:6])), None, config)
    assert (doc.extractor, doc.language, doc.failure) == ("trafilatura", "en", None)
    assert len(doc.chunks) > 3
    for chunk in doc.chunks:
        assert doc.text[chunk.start : chunk.end] == chunk.text
        assert chunk.tokens <= 128 and chunk.language == "en"
        assert (chunk.verdict is None) == bool(chunk.key and chunk.signature and chunk.bands)


def test_a_mixed_page_gives_each_chunk_its_language_and_filters_chunks() -> None:
    body = [*EN[:3], *DE[:6], *FR[:3]]
    doc = logic.refine(article(body), "en", ProcessingConfig(chunk_size=96, languages=("de",)))
    assert doc.language == "de"
    langs = {c.language for c in doc.chunks}
    assert {"en", "de", "fr"} <= langs
    for chunk in doc.chunks:
        if chunk.language != "de":
            assert chunk.verdict == f"language:{chunk.language}"


def test_a_page_in_no_wanted_language_is_skipped_whole() -> None:
    doc = logic.refine(article(list(FR[:4])), None, ProcessingConfig(languages=("de", "en")))
    assert (doc.failure, doc.chunks) == ("language:fr", ())


@pytest.mark.parametrize(
    ("html", "failure"),
    [("", "empty_html"), ("<html><body><script>x()</script></body></html>", "no_main_text")],
)
def test_a_page_without_text_fails_with_its_reason(html: str, failure: str) -> None:
    assert logic.refine(html, None, ProcessingConfig()).failure == failure
