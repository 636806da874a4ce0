"""Spider and refiner replicas on a real redis-server fetching the corpus from 127.0.0.1."""

from __future__ import annotations

from redis.asyncio import Redis

from services.refiner.app import create_app as refiner_app
from services.spider.app import create_app as spider_app
from shared import streams
from shared.config import JobConfig
from shared.events import FetchPage
from shared.ids import derive
from shared.settings import Settings
from tests.helpers import by_type, publish, read_all, running, wait_for


def fetch(job: str, url: str) -> FetchPage:
    return FetchPage(event_id=derive(job, "fetch", url), job_id=job, url=url, config=JobConfig())


async def test_pages_become_chunks_and_duplicates_and_bad_pages_get_reasons(
    settings: Settings, corpus_server: str, corpus_manifest: list[dict[str, str]]
) -> None:
    redis = Redis.from_url(settings.redis_dsn)
    page = f"{corpus_server}/{corpus_manifest[0]['file']}"
    urls = [
        page,
        f"{page}?copy=1",
        f"{corpus_server}/missing.html",
        f"{corpus_server}/manifest.jsonl",
    ]
    await redis.hset(streams.tally_key("j"), "outstanding", len(urls))
    await publish(redis, streams.SPIDER, *(fetch("j", u) for u in urls))
    async with running(spider_app(settings), refiner_app(settings)):
        events = await wait_for(
            lambda: read_all(redis, streams.EVENTS),
            lambda e: (
                len(by_type(e, "DocumentRefined")) == 2 and len(by_type(e, "ItemFailed")) == 2
            ),
        )
    failures = {f.url: f.reason for f in by_type(events, "ItemFailed")}
    assert failures == {urls[2]: "http_404", urls[3]: "not_html"}
    chunks = await read_all(redis, streams.FACTORY)
    docs = {d.url: d for d in by_type(events, "DocumentRefined")}
    first, copy = docs[urls[0]], docs[urls[1]]
    assert (first.chunks == 0) != (copy.chunks == 0), "exactly one copy keeps its chunks"
    owner = first if first.chunks else copy
    made = {c.event_id for c in chunks}
    assert len(made) == owner.chunks
    dropped = [d for d in by_type(events, "ChunkDropped") if d.reason == "duplicate"]
    assert dropped and all(d.duplicate_of in made for d in dropped)
    assert all(c.token_count <= 512 and c.url == owner.url for c in chunks)
    assert await redis.hget(streams.tally_key("j"), "outstanding") == str(len(made)).encode()
