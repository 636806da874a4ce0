"""The inspector against a real redis-server, with the shipper: every example carries what
duplicate removal compares, and the export keeps one of each set of copies, the same one
whatever order the examples arrived in and however many replicas scored them."""

from __future__ import annotations

import random
import re
from pathlib import Path
from typing import Any

import orjson
import pytest
from redis.asyncio import Redis

from services.inspector import app as inspector_app
from services.inspector.app import build_inspector
from services.inspector.handler import Inspector
from services.shipper import app as shipper_app
from shared.contract import streams
from shared.contract.config import JobConfig
from shared.contract.events import ExampleGenerated, ExampleScored
from shared.runtime.runtime import ensure_group
from shared.runtime.stage import Work
from shared.settings import Settings
from tests.helpers import by_type, configure, publish, read_all, running, wait_for
from tests.inspector.labelled import EN, example

# The export after scoring gets up to 60 s.
pytestmark = pytest.mark.timeout(120)

WORDS = """granite volcano harbour lantern orchard meadow glacier compass furnace quarry
violin tapestry saddle beacon cathedral vineyard canyon ledger pendulum falcon walnut
mosaic anchor lattice marble copper ember thistle willow parchment turbine"""

DESIGNED = ("Who designed the Forth Bridge?", "It was designed by John Fowler and Benjamin Baker.")


def work(ex: ExampleGenerated) -> Work[ExampleGenerated]:
    return Work(f"0-{ex.event_id}", ex, JobConfig())


async def verdicts(inspector: Inspector, *examples: ExampleGenerated) -> list[ExampleScored]:
    outcomes = await inspector.score([work(ex) for ex in examples])
    return [o[0].event for o in outcomes]  # type: ignore[index,misc]


async def test_copies_pass_the_inspector_with_what_the_export_compares(settings: Settings) -> None:
    one, two = (build_inspector(settings, Redis.from_url(settings.redis_dsn)) for _ in range(2))
    first, copy = example(*DESIGNED, index=1), example(*DESIGNED, index=2)
    [a, b] = await verdicts(one, first, copy)
    [again] = await verdicts(two, copy)
    assert a.passed and b.passed, "copies are decided over the whole job, at export"
    assert a.fingerprints == b.fingerprints and len(a.fingerprints) == 2
    assert again.vector == b.vector, "a redelivered example is described the same on any replica"
    assert a.backends["duplicates"] == "wordllama-256+tfidf-hashed"
    assert a.example.source is None, "the scored copy leaves the chunk text out"


async def test_an_example_of_a_job_without_duplicate_removal_carries_no_vector(
    settings: Settings,
) -> None:
    inspector = build_inspector(settings, Redis.from_url(settings.redis_dsn))
    checks = tuple(c for c in JobConfig().quality.checks if c != "duplicates")
    config = JobConfig.model_validate({"quality": {"checks": checks}})
    [outcome] = await inspector.score([Work("0-1", example(*DESIGNED, index=1), config)])
    assert not isinstance(outcome, Exception)
    scored = outcome[0].event
    assert isinstance(scored, ExampleScored)
    assert scored.vector is None and scored.fingerprints == []


async def test_two_runs_in_different_orders_export_the_same_rows(
    settings: Settings, tmp_path: Path
) -> None:
    examples = _job(questions=12)
    first = await _run(settings, examples, replicas=1)
    shuffled = random.Random(3).sample(examples, len(examples))
    again = settings.model_copy(update={"data_dir": tmp_path / "again"})
    await Redis.from_url(settings.redis_dsn).flushall()
    second = await _run(again, shuffled, replicas=2)
    assert first == second
    kept, rejected = first
    assert len(kept) == 12, "one of each trio: the example, its copy and its paraphrase"
    assert len(rejected) == 24
    assert {r["metadata"]["duplicate_of"] for r in rejected} <= {r["id"] for r in kept}
    assert all(r["metadata"]["rejected_because"][0].startswith(("duplicate_of:", "near_"))
               for r in rejected)  # fmt: skip


async def _run(
    settings: Settings, examples: list[ExampleGenerated], replicas: int
) -> tuple[list[Any], list[Any]]:
    """The export's kept and rejected records, in their files' order."""
    redis = Redis.from_url(settings.redis_dsn)
    await configure(redis, "job1")
    await redis.hset(streams.tally_key("job1"), "outstanding", len(examples))
    for stream, group in ((streams.INSPECTOR, "inspector"), (streams.SHIPPER, "shipper")):
        await ensure_group(redis, stream, group)
    await publish(redis, streams.INSPECTOR, *examples)
    apps = [inspector_app.create_app(settings) for _ in range(replicas)]
    async with running(*apps, shipper_app.create_app(settings)):
        [written] = await wait_for(lambda: _exports(redis), lambda found: len(found) == 1, 60)
    folder = (settings.data_dir / written.key).parent
    return _records(settings.data_dir / written.key), _records(folder / "rejected.jsonl")


def _records(path: Path) -> list[Any]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


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
