"""The inspector against a real redis-server: replicas share the job's accepted examples,
a redelivered example gets its first verdict, and what passes is what the shipper exports."""

from __future__ import annotations

import asyncio
import random
import re
from typing import Any

from redis.asyncio import Redis

from services.inspector import app as inspector_app
from services.inspector.app import Inspector
from services.shipper import app as shipper_app
from shared import streams
from shared.config import JobConfig, QualityConfig
from shared.events import ExampleGenerated, ExampleScored
from shared.runtime import ensure_group
from shared.settings import Settings
from shared.stage import Work
from tests.helpers import by_type, configure, publish, read_all, running, wait_for
from tests.inspector.labelled import EN, example

WORDS = """granite volcano harbour lantern orchard meadow glacier compass furnace quarry
violin tapestry saddle beacon cathedral vineyard canyon ledger pendulum falcon walnut
mosaic anchor lattice marble copper ember thistle willow parchment turbine"""

DESIGNED = ("Who designed the Forth Bridge?", "It was designed by John Fowler and Benjamin Baker.")
NEAR = (
    "Who designed the famous Forth Bridge?",
    "It was designed by John Fowler and also Benjamin Baker.",
)


# Duplicates are a check a job asks for (see QualityConfig.checks).
DEDUP = JobConfig(
    quality=QualityConfig(checks=(*QualityConfig().checks, "duplicates")),
)


def work(ex: ExampleGenerated, config: JobConfig | None = None) -> Work[ExampleGenerated]:
    return Work(f"0-{ex.event_id}", ex, config or DEDUP)


async def verdicts(inspector: Inspector, *examples: ExampleGenerated) -> list[ExampleScored]:
    outcomes = await inspector.score([work(ex) for ex in examples])
    return [o[0].event for o in outcomes]  # type: ignore[index,misc]


async def test_a_near_duplicate_pair_split_across_two_replicas_is_caught(
    settings: Settings,
) -> None:
    one, two = (Inspector(settings, Redis.from_url(settings.redis_dsn)) for _ in range(2))
    first, second = example(*DESIGNED, index=1), example(*NEAR, index=2)
    # Both replicas read the job's (empty) accepted set before either claims: the later
    # claim finds it stale, reads the other's vector and compares again.
    [a], [b] = await asyncio.gather(verdicts(one, first), verdicts(two, second))
    assert sorted([a.passed, b.passed]) == [False, True]
    loser = b if a.passed else a
    winner = a if a.passed else b
    assert loser.reasons[0].startswith(f"near_duplicate_of:{winner.example.event_id}(cos=")
    assert loser.backends["duplicates"] == "tfidf-hashed"


async def test_a_redelivered_example_gets_its_first_verdict_on_any_replica(
    settings: Settings,
) -> None:
    one, two = (Inspector(settings, Redis.from_url(settings.redis_dsn)) for _ in range(2))
    first, copy = example(*DESIGNED, index=1), example(*DESIGNED, index=2)
    before = await verdicts(one, first, copy)
    again = await verdicts(two, copy, first)
    assert [v.passed for v in before] == [True, False]
    assert before[1].reasons == ["duplicate_of:ex1"]
    assert [(v.passed, v.reasons) for v in again] == [(False, ["duplicate_of:ex1"]), (True, [])]


async def test_the_same_pair_twice_for_one_chunk_passes_once(settings: Settings) -> None:
    inspector = Inspector(settings, Redis.from_url(settings.redis_dsn))
    found = await verdicts(inspector, *(example(*DESIGNED, index=i) for i in range(3)))
    assert [v.passed for v in found] == [True, False, False]
    assert found[0].example.source is None, "the scored copy leaves the chunk text out"


async def test_two_running_replicas_pass_each_distinct_example_once_and_the_shipper_exports_them(
    settings: Settings,
) -> None:
    redis = Redis.from_url(settings.redis_dsn)
    examples = _job(questions=12)
    await configure(redis, "job1", config=DEDUP)
    await redis.hset(streams.tally_key("job1"), "outstanding", len(examples))
    for stream, group in ((streams.INSPECTOR, "inspector"), (streams.SHIPPER, "shipper")):
        await ensure_group(redis, stream, group)
    await publish(redis, streams.INSPECTOR, *examples)
    apps = [inspector_app.create_app(settings) for _ in range(2)]
    async with running(*apps, shipper_app.create_app(settings)):
        written = await wait_for(lambda: _exports(redis), lambda found: len(found) == 1, timeout=60)
    scored = by_type(await read_all(redis, streams.SHIPPER), "ExampleScored")
    assert len(scored) == len(examples)
    passed = [s for s in scored if s.passed]
    assert sorted(s.example.input for s in passed) == sorted({e.input for e in examples})
    assert written[0].record_count == len(passed)


def _job(questions: int) -> list[ExampleGenerated]:
    """Each distinct example three times: once, copied exactly, and with one word added."""
    rng = random.Random(7)
    vocabulary = sorted({w for w in re.findall(r"[a-z]{5,}", f"{EN} {WORDS}".lower())})
    found = []
    for q in range(questions):
        picked = rng.sample(vocabulary, 12)
        question = f"Which terms go with {picked[0]} and {picked[1]}?"
        answer = "The terms are " + ", ".join(picked[2:]) + "."
        near = answer.replace("The terms", "The chosen terms")
        for copy, text in enumerate((answer, answer, near)):
            ex = example(question, text, index=3 * q + copy)
            found.append(ex.model_copy(update={"source": f"{EN} {' '.join(picked)}"}))
    return found


async def _exports(redis: Redis) -> list[Any]:
    return by_type(await read_all(redis, streams.EVENTS), "ExportWritten")
