"""One rule for an example's reviewed state, in the shipper (Python) and the read model (SQL):
the latest review's verdict with the latest edit's text, whatever order the log holds them in."""

from __future__ import annotations

import random
from typing import Literal

import orjson
import pyarrow as pa
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from services.gateway.queries.examples import get_example
from services.gateway.readmodel.projector import Projector
from services.shipper.records import STAGED, row
from services.shipper.reviews import applied, decisions
from shared.contract import streams
from shared.contract.events import ExampleReviewed
from tests.gateway.conftest import projecting, publish_log
from tests.gateway.story import Story, at
from tests.review.log import job_log, many, review
from tests.shipper.samples import scored

ACTIONS: tuple[Literal["approve", "reject", "edit"], ...] = ("approve", "reject", "edit")
FILLER = "This is an example answer. This is an example answer."


def random_reviews(job_id: str, seed: int) -> list[ExampleReviewed]:
    rng = random.Random(seed)
    found = []
    for n in range(40):
        example, action = f"ex_{rng.randrange(6):05d}", rng.choice(ACTIONS)
        text = {rng.choice(("input", "output")): f"edit {n}"} if action == "edit" else {}
        # Several share a time: the event id breaks the tie.
        found.append(review(job_id, example, action, at(10 + rng.randrange(8)), f"r{n}", **text))
    return found


def test_a_review_after_the_export_was_asked_for_is_left_out() -> None:
    made = [
        review("j", "ex_1", "reject", at(10)),
        review("j", "ex_1", "approve", at(20)),
        review("j", "ex_2", "edit", at(11), output="New."),
        review("j", "ex_2", "reject", at(12)),
        review("j", "ex_2", "approve", at(13)),
    ]
    found = decisions(made + made[:1], until=at(15))
    assert (found["ex_1"].action, found["ex_1"].keep) == ("reject", False)
    assert (found["ex_2"].keep, found["ex_2"].output, found["ex_2"].input) == (True, "New.", None)
    assert decisions(made, until=at(5)) == {}


async def test_the_read_model_and_the_shipper_agree_on_every_example(
    redis: Redis, writer: AsyncEngine, reader: AsyncEngine
) -> None:
    story = Story()
    reviews = random_reviews(story.job_id, seed=7)
    shuffled = random.Random(1).sample(reviews, len(reviews))
    log = job_log(story, many(story, 6)) + [(streams.EVENTS, r) for r in shuffled]
    await publish_log(redis, log)
    async with projecting(Projector(redis, writer, block_ms=50)) as projector:
        assert await projector.caught_up(10)
    expected = decisions(reviews, until=at(100))
    assert len(expected) == 6
    for example_id, decided in expected.items():
        shown = await get_example(reader, example_id)
        assert shown is not None and shown.review is not None
        assert shown.verdict == ("passed" if decided.keep else "rejected")
        assert shown.review.action == decided.action
        given = shown.original_input if decided.input is None else decided.input
        said = shown.original_output if decided.output is None else decided.output
        assert (shown.input, shown.output) == (given, said)


def test_a_kept_edit_is_scored_again_on_its_text() -> None:
    staged = pa.Table.from_pylist([row(scored(1), 0.7), row(scored(2), 0.7)], schema=STAGED)
    made = [
        review("j", staged["id"][0].as_py(), "edit", at(10), output=FILLER),
        review("j", staged["id"][1].as_py(), "edit", at(10), output="Fowler and Baker did."),
    ]
    [table] = applied([staged], decisions(made, until=at(20)))
    filler, fine = table.to_pylist()
    assert (filler["passed"], filler["kinds"]) == (False, ["edited"])
    assert orjson.loads(filler["metadata"])["rejected_because"] == ["edited: filler"]
    assert fine["passed"] and "rejected_because" not in orjson.loads(fine["metadata"])
