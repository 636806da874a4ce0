"""The shared dedup index on a real redis-server: exact, near, redelivery, scope, races."""

from __future__ import annotations

import asyncio
from pathlib import Path

from redis.asyncio import Redis

from services.refiner import fingerprint
from services.refiner.dedup import Candidate, Decision, DedupIndex, Scope
from services.refiner.dedup import scope as page_scope
from shared.contract.config import ProcessingConfig
from tests.refiner.pages import edited, fetched, paragraphs

SHAPE = fingerprint.lsh_shape(0.8)
TEXT = " ".join(paragraphs("en")[:10])


def candidate(chunk_id: str, text: str) -> Candidate:
    words = fingerprint.words(text)
    sig = fingerprint.signature(words, 5)
    bands = tuple(fingerprint.bands(sig, SHAPE))
    return Candidate(chunk_id, fingerprint.exact_key(words), sig, bands)


def scope(name: str = "job:j") -> Scope:
    return Scope(name, 5, SHAPE[1], SHAPE[0])


async def test_exact_and_near_duplicates_name_the_chunk_that_holds_the_text(redis_url: str) -> None:
    index = DedupIndex(Redis.from_url(redis_url))
    first = await index.claim(scope(), 0.8, [candidate("a", TEXT)])
    later = [
        candidate("b", TEXT.upper()),
        candidate("c", " ".join(edited([TEXT], every=120))),
        candidate("d", " ".join(paragraphs("de")[:3])),
    ]
    decisions = await index.claim(scope(), 0.8, later)
    assert first == [Decision(None)]
    assert decisions == [
        Decision("duplicate", "a"),
        Decision("near_duplicate", "a"),
        Decision(None),
    ]


async def test_a_redelivered_page_gets_the_same_decisions_and_keeps_its_own_chunks(
    redis_url: str,
) -> None:
    index = DedupIndex(Redis.from_url(redis_url))
    page = [candidate("a1", TEXT), candidate("a2", TEXT)]
    first = await index.claim(scope(), 0.8, page)
    await index.claim(scope(), 0.8, [candidate("x", " ".join(edited([TEXT], every=60)))])
    assert (
        await index.claim(scope(), 0.8, page)
        == first
        == [
            Decision(None),
            Decision("duplicate", "a1"),
        ]
    )


async def test_scopes_are_separate_indexes(redis_url: str) -> None:
    index = DedupIndex(Redis.from_url(redis_url))
    assert await index.claim(scope("job:one"), 0.8, [candidate("a", TEXT)]) == [Decision(None)]
    assert await index.claim(scope("job:two"), 0.8, [candidate("b", TEXT)]) == [Decision(None)]
    project = await index.claim(scope("project:p"), 0.8, [candidate("c", TEXT)])
    again = await index.claim(scope("project:p"), 0.8, [candidate("d", TEXT)])
    assert (project, again) == ([Decision(None)], [Decision("duplicate", "c")])


async def test_a_job_index_expires_when_idle_and_a_project_index_stays(redis_url: str) -> None:
    redis = Redis.from_url(redis_url)
    index = DedupIndex(redis)
    await index.claim(scope("job:j"), 0.8, [candidate("a", TEXT)])
    await index.claim(scope("project:p"), 0.8, [candidate("b", TEXT)])
    assert all([await redis.ttl(k) > 0 for k in scope("job:j").keys])
    assert all([await redis.ttl(k) == -1 for k in scope("project:p").keys])


async def test_concurrent_claims_of_near_duplicates_keep_exactly_one(redis_url: str) -> None:
    clients = [Redis.from_url(redis_url) for _ in range(8)]
    texts = [" ".join(edited([TEXT], every=300 + i)) for i in range(8)]
    claims = [
        DedupIndex(c).claim(scope(), 0.8, [candidate(f"c{i}", t)])
        for i, (c, t) in enumerate(zip(clients, texts, strict=True))
    ]
    decisions = [d[0] for d in await asyncio.gather(*claims)]
    kept = [i for i, d in enumerate(decisions) if d.reason is None]
    assert len(kept) == 1
    assert {d.owner for d in decisions if d.reason} == {f"c{kept[0]}"}


def test_a_page_is_deduplicated_within_its_job_or_its_project() -> None:
    project = ProcessingConfig(dedup_scope="project", dedup_threshold=0.9, dedup_ngram=3)
    default = ProcessingConfig()
    assert page_scope(fetched(Path("x"), job="j1", project="p"), default).name == "job:j1"
    in_project = page_scope(fetched(Path("x"), job="j1", project="p"), project)
    assert (in_project.name, in_project.ngram, in_project.band_count) == ("project:p", 3, 5)
    assert page_scope(fetched(Path("x"), job="j1"), project).name == "job:j1"
