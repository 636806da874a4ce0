"""HTML in, refined document out: text, language, token chunks with verdicts and fingerprints.

Pure and picklable both ways, so it runs in the extraction pool's worker processes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from services.refiner import extract, fingerprint, junk, language
from services.refiner.chunking import Span, chunk_spans
from shared.contract.config import ProcessingConfig
from shared.contract.tokens import cl100k

# Outcomes that say a page holds nothing worth tokens, as opposed to refining that went wrong.
SKIPS = ("empty_html", "binary_content", "too_large", "no_main_text", "language:")


@dataclass(frozen=True)
class Chunk:
    index: int
    text: str
    tokens: int
    start: int
    end: int
    language: str | None
    verdict: str | None  # why it is dropped before dedup; None: a dedup candidate
    key: str = ""
    signature: bytes = b""
    bands: tuple[str, ...] = ()


@dataclass(frozen=True)
class Document:
    text: str
    extractor: str
    language: str | None
    chunks: tuple[Chunk, ...] = ()
    failure: str | None = None  # why the whole page yields no chunks
    detail: str = ""
    over_cap: int = 0  # chunks past the config's max_chunks_per_page, left out


def outcome_of(reason: str) -> Literal["skipped", "failed"]:
    return "skipped" if reason.startswith(SKIPS) else "failed"


def count_tokens(text: str) -> int:
    return len(cl100k().encode(text, disallowed_special=()))


_WARM_PAGE = (
    "<html><body><article><h1>Warm-up</h1><p>"
    + "This short page goes through every step once, so that no real page pays for the "
    "set-up that the parsers, the tokenizer and the language model do on first use. "
    * 2
    + "</p></article></body></html>"
)


def warm() -> None:
    """Runs a small page through every step: first use of each costs most of a second."""
    refine(_WARM_PAGE, None, ProcessingConfig())


def _chunk(text: str, span: Span, index: int, lang: str | None, config: ProcessingConfig) -> Chunk:
    body = text[span.start : span.end]
    verdict = junk.verdict(body, span.tokens, config.min_chunk_tokens, config.chunk_size, lang)
    if verdict is None and language.refused(lang, config.languages):
        verdict = f"language:{lang or 'unknown'}"
    head = Chunk(index, body, span.tokens, span.start, span.end, lang, verdict)
    if verdict is not None:
        return head
    words = fingerprint.words(body)
    sig = fingerprint.signature(words, config.dedup_ngram)
    bands = fingerprint.bands(sig, fingerprint.lsh_shape(config.dedup_threshold))
    return replace(head, key=fingerprint.exact_key(words), signature=sig, bands=tuple(bands))


def _languages(
    text: str, spans: list[Span], declared: str | None
) -> tuple[str | None, list[str | None]]:
    """The document's language and each chunk's: its own when clear, else the document's."""
    bodies = [text[s.start : s.end] for s in spans]
    found = [language.detect(body) for body in bodies]
    document = language.of_document(list(zip(bodies, found, strict=True)), declared)
    return document, [lang or document for lang in found]


def refine(html: str, declared_language: str | None, config: ProcessingConfig) -> Document:
    if reason := extract.unusable(html):
        return Document("", "none", None, failure=reason)
    try:
        found = extract.extract(html)
    except Exception as exc:  # a page that breaks the parser is that page's failure only
        return Document("", "none", None, failure="extract_error", detail=repr(exc)[:500])
    text = found.text
    if not text:
        return Document("", found.extractor, None, failure="no_main_text")
    spans = chunk_spans(text, config.chunk_size, count_tokens, config.chunk_overlap)
    # The spend bound: a page's first chunks are used, the rest only counted (a 5 MB page
    # makes about 2,000), before any language detection or fingerprint is spent on them.
    over_cap = max(len(spans) - config.max_chunks_per_page, 0)
    spans = spans[: config.max_chunks_per_page]
    lang, langs = _languages(text, spans, declared_language)
    if all(language.refused(chunk, config.languages) for chunk in langs):
        reason = f"language:{lang or 'unknown'}"
        return Document(text, found.extractor, lang, failure=reason, detail="no wanted language")
    chunks = (_chunk(text, s, i, langs[i], config) for i, s in enumerate(spans))
    return Document(text, found.extractor, lang, tuple(chunks), over_cap=over_cap)
