"""Refiner replicas on a real redis-server, fed PageFetched events for pages written to disk."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
from redis.asyncio import Redis

from services.refiner.app import create_app
from shared.contract import streams
from shared.contract.config import JobConfig, ProcessingConfig
from shared.contract.events import ChunkMade, PageFetched
from shared.settings import Settings
from tests.helpers import by_type, configure, of_kind, publish, read_all, running, wait_for
from tests.refiner.pages import article, edited, fetched, paragraphs

# Stage runs wait up to 60 s for their outcomes.
pytestmark = pytest.mark.timeout(120)

EN, DE, FR = paragraphs("en"), paragraphs("de"), paragraphs("fr")


@pytest.fixture
def raw(settings: Settings) -> Path:
    """Where the spider stores pages: the refiner reads nothing outside the data directory."""
    folder = settings.data_dir / "raw" / "job"
    folder.mkdir(parents=True)
    return folder


def page_file(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / f"{name}.html"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, "utf-8")
    return path


async def outcomes(
    redis: Redis, pages: list[PageFetched], *apps: Any, config: ProcessingConfig | None = None
) -> list[Any]:
    """Runs the apps until every page has its refiner outcome; returns the events log.
    The pages' jobs get `config` unless they have one already."""
    for job in {p.job_id for p in pages}:
        if not await redis.exists(streams.job_config_key(job)):
            await configure(redis, job, config=JobConfig(processing=config or ProcessingConfig()))
    await publish(redis, streams.REFINER, *pages)
    async with running(*apps):
        return await wait_for(
            lambda: read_all(redis, streams.EVENTS),
            lambda events: (
                len(by_type(events, "DocumentRefined") + by_type(events, "ItemFailed"))
                >= len(pages)
            ),
            timeout=60,
        )


async def test_near_duplicate_pages_keep_one_copy_and_name_it(
    settings: Settings, raw: Path
) -> None:
    redis = Redis.from_url(settings.redis_url or "")
    body = list(EN[:10])
    variants = {"original": body, "copy": body, "edited": edited(body, every=300)}
    pages = [fetched(page_file(raw, n, article(b)), name=n) for n, b in variants.items()]
    events = await outcomes(redis, pages, create_app(settings))
    made = of_kind(await read_all(redis, streams.FACTORY), ChunkMade)
    docs = {d.url: d for d in by_type(events, "DocumentRefined")}
    assert sum(d.chunks > 0 for d in docs.values()) == 1, "one page keeps the text"
    keeper = next(d for d in docs.values() if d.chunks)
    assert {c.document_id for c in made} == {keeper.document_id}
    dropped = [d for d in by_type(events, "ChunkDropped") if d.document_id != keeper.document_id]
    assert dropped and {d.reason for d in dropped} <= {"duplicate", "near_duplicate"}
    assert {d.duplicate_of for d in dropped} <= {c.event_id for c in made}
    assert all(d.extractor == "trafilatura" and d.language == "en" for d in docs.values())


async def test_a_redelivered_page_yields_the_same_chunks_and_keeps_them(
    settings: Settings, raw: Path
) -> None:
    redis = Redis.from_url(settings.redis_url or "")
    config = ProcessingConfig(chunk_size=128)
    page = fetched(page_file(raw, "p", article(list(DE[:8]), "de")))
    first = await outcomes(redis, [page], create_app(settings), config=config)
    second = await outcomes(redis, [page, page], create_app(settings))
    made = await read_all(redis, streams.FACTORY)
    ids = [c.event_id for c in made]
    assert len(ids) == 3 * len(set(ids)) and len(set(ids)) > 3, "the same ids, every time"
    assert not by_type(second, "ChunkDropped") and not by_type(first, "ChunkDropped")
    docs = by_type(second, "DocumentRefined")
    assert {(d.event_id, d.chunks) for d in docs} == {(docs[0].event_id, len(set(ids)))}


async def test_language_filter_drops_foreign_chunks_and_skips_foreign_pages(
    settings: Settings, raw: Path
) -> None:
    redis = Redis.from_url(settings.redis_url or "")
    config = ProcessingConfig(chunk_size=96, languages=("de",))
    mixed = article([*EN[:3], *DE[:6]], "en")
    pages = [
        fetched(page_file(raw, "mixed", mixed), name="mixed"),
        fetched(page_file(raw, "fr", article(list(FR[:4]), "fr")), name="fr"),
    ]
    events = await outcomes(redis, pages, create_app(settings), config=config)
    skip = by_type(events, "ItemFailed")
    assert [(s.url, s.outcome, s.reason) for s in skip] == [
        (pages[1].url, "skipped", "language:fr")
    ]
    made = of_kind(await read_all(redis, streams.FACTORY), ChunkMade)
    assert made and {c.language for c in made} == {"de"}
    foreign = [d for d in by_type(events, "ChunkDropped") if d.reason.startswith("language:")]
    assert foreign and {d.reason for d in foreign} == {"language:en"}


async def test_bad_pages_get_reasons_and_the_worker_goes_on(settings: Settings, raw: Path) -> None:
    redis = Redis.from_url(settings.redis_url or "")
    # Seconds of trafilatura work in 2.3 MB: a page that would hold a worker far too long.
    slow = "<html><body>" + "".join(
        f'<div class="c{i % 7}"><span>item {i}</span> <a href="/x{i}">link {i}</a></div>'
        for i in range(30_000)
    )
    bad: dict[str, tuple[str | bytes, str, str]] = {
        "empty": ("", "skipped", "empty_html"),
        "huge": ("<p>" + "x" * 8_100_000, "skipped", "too_large"),
        "binary": (random.Random(3).randbytes(20_000), "skipped", "binary_content"),
        "scripts": ("<html><body><script>go()</script></body></html>", "skipped", "no_main_text"),
        "slow": (slow, "failed", "extract_timeout"),
    }
    pages = [fetched(page_file(raw, n, c), name=n) for n, (c, _, _) in bad.items()]
    # The slow page belongs to a job with a short time limit.
    pages[-1] = fetched(raw / "slow.html", job="quick", name="slow")
    await configure(
        redis, "quick", config=JobConfig(processing=ProcessingConfig(extract_timeout_s=0.5))
    )
    pages.append(fetched(raw / "gone.html", name="gone"))
    pages.append(fetched(page_file(raw, "good", article(list(EN[:3]))), name="good"))
    events = await outcomes(redis, pages, create_app(settings))
    failed = {f.url.rsplit("/", 1)[1]: (f.outcome, f.reason) for f in by_type(events, "ItemFailed")}
    assert failed == {
        **{n: (o, r) for n, (_, o, r) in bad.items()},
        "gone": ("failed", "html_missing"),
    }
    assert [d.url for d in by_type(events, "DocumentRefined")] == [pages[-1].url]
    assert await redis.xlen(streams.dead_letter(streams.REFINER)) == 0


async def test_two_replicas_on_near_duplicate_pages_keep_exactly_one(
    settings: Settings, raw: Path
) -> None:
    redis = Redis.from_url(settings.redis_url or "")
    one_at_a_time = settings.model_copy(update={"max_records": 1})
    body = list(EN[:10])
    pages = [
        fetched(page_file(raw, f"v{i}", article(edited(body, every=400 + i))), name=f"v{i}")
        for i in range(8)
    ]
    events = await outcomes(redis, pages, create_app(one_at_a_time), create_app(one_at_a_time))
    docs = by_type(events, "DocumentRefined")
    assert len(docs) == 8 and sum(d.chunks > 0 for d in docs) == 1
    made = await read_all(redis, streams.FACTORY)
    dropped = by_type(events, "ChunkDropped")
    assert len(dropped) == sum(d.dropped for d in docs)
    assert {d.duplicate_of for d in dropped} <= {c.event_id for c in made}


async def test_a_page_stored_outside_the_data_directory_is_refused(
    settings: Settings, raw: Path, tmp_path: Path
) -> None:
    redis = Redis.from_url(settings.redis_url or "")
    outside = page_file(tmp_path, "elsewhere", article(list(EN[:3])))
    sneaky = raw / ".." / ".." / ".." / "elsewhere.html"
    pages = [fetched(outside, name="outside"), fetched(sneaky, name="dotdot")]
    events = await outcomes(redis, pages, create_app(settings))
    failed = by_type(events, "ItemFailed")
    assert {(f.url.rsplit("/", 1)[1], f.reason) for f in failed} == {
        ("outside", "key_outside_raw_pages"),
        ("dotdot", "key_outside_raw_pages"),
    }
    assert await read_all(redis, streams.FACTORY) == []
