"""Duplicate removal at export, on a real Redis: across a project's jobs when the job asks
for it, and of 2,000 examples through the SimHash bands as through every pair."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pytest
from redis.asyncio import Redis

from services.gateway.readmodel.rebuild import replay
from services.inspector.checks.base import Item
from services.inspector.checks.duplicates import Described, fingerprints
from services.inspector.embeddings import HashedTfidf
from services.inspector.logic import Verdict
from services.inspector.outcomes import scored
from services.shipper import dedup, nearby
from services.shipper.app import create_app
from services.shipper.manifest import Manifest
from shared.contract import streams
from shared.contract.config import JobConfig
from shared.contract.events import ExampleScored, JobCompleted, JobSubmitted
from shared.contract.ids import derive
from shared.contract.vectors import pack
from shared.settings import Settings
from tests.helpers import configure, publish, read_all, running, wait_for
from tests.inspector.labelled import example
from tests.shipper import read_model

PAIRS = [
    ("Who designed the Forth Bridge?", "It was designed by John Fowler and Benjamin Baker."),
    ("When did the Forth Bridge open?", "The Forth Bridge opened on 4 March 1890."),
    ("How long is the Forth Bridge?", "The bridge spans 2,467 metres across the firth."),
]


def described(job_id: str, index: int, pair: tuple[str, str], config: JobConfig) -> ExampleScored:
    """An example as the inspector scores and describes it."""
    ex = example(*pair, index=index).model_copy(update={"job_id": job_id})
    ex = ex.model_copy(update={"event_id": derive(job_id, "ex", index)})
    item = Item(ex, config.quality)
    embedder = HashedTfidf()
    info = Described(fingerprints(item), pack(embedder.encode([item.pair])[0]), embedder.name)
    verdict = Verdict({"format": 1.0}, 0.9, True, [], [], {})
    event = scored(ex, verdict, 0.0, info).event
    assert isinstance(event, ExampleScored)
    return event


async def run_job(
    redis: Redis, job_id: str, pairs: list[tuple[str, str]], config: JobConfig
) -> str:
    """The key of the job's export's data file."""
    await configure(redis, job_id, config=config)
    submitted = JobSubmitted(
        event_id=derive(job_id, "submitted"), job_id=job_id, project_id="proj",
        urls=["http://127.0.0.1/page"], config=config,
    )  # fmt: skip
    await publish(redis, streams.EVENTS, submitted)
    examples = [described(job_id, i, pair, config) for i, pair in enumerate(pairs)]
    await publish(redis, streams.SHIPPER, *examples)
    await publish(
        redis, streams.SHIPPER, JobCompleted(event_id=derive(job_id, "done"), job_id=job_id)
    )

    async def probe() -> list[Any]:
        events = await read_all(redis, streams.EVENTS)
        return [e for e in events if e.type == "ExportWritten" and e.job_id == job_id]

    [written] = await wait_for(probe, lambda found: len(found) == 1, timeout=30)
    return str(written.key)


def records(path: Path) -> list[Any]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines()] if path.exists() else []


@pytest.mark.parametrize("scope", ["job", "project"])
async def test_a_later_job_of_a_project_drops_copies_of_what_an_earlier_one_exported(
    settings: Settings, scope: str, tmp_path: Path
) -> None:
    redis = Redis.from_url(settings.redis_dsn)
    config = JobConfig.model_validate({"quality": {"dedup_scope": scope}})
    async with running(create_app(settings)):
        await run_job(redis, "first", PAIRS[:2], config)
        key = await run_job(redis, "second", [PAIRS[1], PAIRS[2], PAIRS[2]], config)
    folder = (settings.data_dir / key).parent
    kept, rejected = records(settings.data_dir / key), records(folder / "rejected.jsonl")
    copies = {r["id"]: r["metadata"]["duplicate_of"] for r in rejected}
    # Within the job, its own copy always goes: the smaller id stays.
    assert copies[derive("second", "ex", 2)] == derive("second", "ex", 1)
    if scope == "project":
        assert copies[derive("second", "ex", 0)] == derive("first", "ex", 1)
        assert [r["id"] for r in kept] == [derive("second", "ex", 1)]
    else:
        assert len(kept) == 2 and len(copies) == 1
    db = tmp_path / "read-model.db"
    await replay(settings.redis_dsn, db)
    manifest = Manifest.load(folder)
    assert manifest.figures["quality"] == read_model.figures(db, "second")["quality"]
    assert (
        manifest.figures["quality"]["duplicate removal"]["examples embedded by tfidf-hashed"] == 3
    )


def as_set(pairs: nearby.Pairs) -> set[tuple[int, int]]:
    return set(zip(pairs[0].tolist(), pairs[1].tolist(), strict=True))


def test_the_bands_find_the_pairs_that_every_pair_finds() -> None:
    """Above the size compared pair by pair, SimHash bands miss no copy at cosine 0.95."""
    rng = np.random.default_rng(5)
    vectors = rng.standard_normal((2_000, 64)).astype(np.float32)
    copies = rng.choice(2_000, size=(100, 2), replace=False)
    noise = rng.standard_normal((100, 64)).astype(np.float32) * 0.02
    vectors[copies[:, 1]] = vectors[copies[:, 0]] + noise
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    exact = nearby._all_pairs(vectors, 0.95)
    banded = nearby._verified(vectors, *nearby._candidates(vectors), 0.95)
    assert len(as_set(exact)) >= 100
    assert as_set(banded) == as_set(exact)


def test_which_copy_stays_depends_on_score_then_id_not_on_order() -> None:
    vector = np.full(4, 0.5, dtype=np.float16)
    pool_a, pool_b = dedup.Pool(), dedup.Pool()
    rows = [("b", 0.9), ("a", 0.9), ("c", 0.95)]
    for id_, score in rows:
        pool_a.add(id_, score, [], vector, "x")
    for id_, score in reversed(rows):
        pool_b.add(id_, score, [], vector, "x")
    expected = {"a": ("c", "1.000"), "b": ("c", "1.000")}
    assert dedup.removed(pool_a, 0.9) == dedup.removed(pool_b, 0.9) == expected


def test_a_cluster_of_thousands_of_copies_keeps_one_with_pairs_bounded_per_example() -> None:
    """3,000 answers alike: each links to its closest few, not to all 2,999 others."""
    vector = (np.ones(16) / 4).astype(np.float16)
    pool = dedup.Pool()
    for i in range(3_000):
        pool.add(f"ex{i:05d}", 0.9, [], vector, "x")
    first, _, _ = nearby.near_pairs(np.full((3_000, 16), 0.25, np.float32), 0.75)
    assert len(first) <= 3_000 * nearby.NEIGHBOURS
    found = dedup.removed(pool, 0.75)
    assert len(found) == 2_999 and "ex00000" not in found
