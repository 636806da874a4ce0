"""The per-page chunk cap: a huge page costs at most max_chunks_per_page chunks, the rest counted."""

from __future__ import annotations

import functools

import pytest
from redis.asyncio import Redis

from services.refiner import worker
from services.refiner.app import create_app
from services.refiner.chunking import chunk_spans
from services.refiner.logic import count_tokens, refine
from shared.contract import streams
from shared.contract.config import JobConfig, ProcessingConfig
from shared.settings import Settings
from tests.helpers import by_type, configure, publish, read_all, running, wait_for
from tests.refiner.pages import article, fetched, paragraphs

# A 5 MB page through trafilatura waits up to 60 s for its outcome.
pytestmark = pytest.mark.timeout(120)

XHTML_DECLARED = '<?xml version="1.0" encoding="shift_jis"?>\n'


@functools.cache
def huge_page() -> str:
    """About 5 MB of real prose: the corpus article's paragraphs, numbered so none repeats."""
    body: list[str] = []
    while sum(map(len, body)) < 5_000_000:
        body += [f"Part {len(body)}. {p}" for p in paragraphs("en")]
    return article(body)


def test_a_5mb_page_gives_at_most_50_chunks_and_counts_the_rest() -> None:
    config = ProcessingConfig()
    assert config.max_chunks_per_page == 50
    doc = worker.refine_page(huge_page().encode(), None, config)
    assert len(doc.chunks) == 50 and [c.index for c in doc.chunks] == list(range(50))
    every = chunk_spans(doc.text, config.chunk_size, count_tokens, config.chunk_overlap)
    assert doc.over_cap == len(every) - 50 > 1500


def test_a_page_under_the_cap_loses_nothing() -> None:
    html = article(list(paragraphs("en")[:12]))
    capped = refine(html, None, ProcessingConfig(max_chunks_per_page=50))
    uncapped = refine(html, None, ProcessingConfig(max_chunks_per_page=10_000))
    assert capped == uncapped and capped.over_cap == 0 and len(capped.chunks) > 1


def test_a_page_with_an_encoding_declaration_is_extracted_as_its_text_says() -> None:
    """A page stored with a stale declaration (from before the spider dropped it) still
    refines: its text is read as the Unicode it is, whatever charset it names."""
    html = article(["Größe, café und ein Satz über Flüsse und Städte am Wasser. " * 20], "de")
    plain = refine(html, None, ProcessingConfig())
    declared = refine(XHTML_DECLARED + html, None, ProcessingConfig())
    assert declared.text == plain.text and "Größe, café" in declared.text


async def test_the_refiner_reports_the_chunks_over_the_cap_on_the_pages_event(
    settings: Settings,
) -> None:
    redis = Redis.from_url(settings.redis_dsn)
    raw = settings.data_dir / "raw" / "job"
    raw.mkdir(parents=True)
    (raw / "big.html").write_text(article(list(paragraphs("en")) * 3), "utf-8")
    config = ProcessingConfig(max_chunks_per_page=4, chunk_size=128)
    await configure(redis, "job", config=JobConfig(processing=config))
    page = fetched(raw / "big.html", name="big")
    await publish(redis, streams.REFINER, page)
    async with running(create_app(settings)):
        events = await wait_for(
            lambda: read_all(redis, streams.EVENTS),
            lambda got: bool(by_type(got, "DocumentRefined")),
            timeout=60,
        )
    (doc,) = by_type(events, "DocumentRefined")
    made = await read_all(redis, streams.FACTORY)
    assert doc.chunks + doc.dropped == 4 and len(made) == doc.chunks
    assert doc.chunks_over_cap > 10
