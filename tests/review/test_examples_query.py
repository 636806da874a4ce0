"""The results query on a real SQLite read model: filters, paging, and reviewed state."""

from __future__ import annotations

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from services.gateway.queries.example_models import PAGE_SIZE, ExampleFilters
from services.gateway.queries.examples import examples_page, get_example
from services.gateway.readmodel.projector import Projector
from shared.contract import streams
from shared.contract.events import DuplicatesRemoved, ExampleScored
from tests.gateway.conftest import projecting, publish_log
from tests.gateway.story import Story, at
from tests.review.log import job_log, many, review

N = 130


async def projected(redis: Redis, writer: AsyncEngine, log: list) -> None:  # type: ignore[type-arg]
    await publish_log(redis, log)
    async with projecting(Projector(redis, writer, block_ms=50)) as projector:
        assert await projector.caught_up(10)


async def ids_of(reader: AsyncEngine, job_id: str, filters: ExampleFilters) -> list[str]:
    found, page = [], 1
    while True:
        result = await examples_page(reader, job_id, filters, page)
        found += [e.id for e in result.examples]
        if page >= result.pages:
            assert len(found) == result.total
            return found
        page += 1


async def test_pages_hold_fifty_examples_in_id_order_with_the_total(
    redis: Redis, writer: AsyncEngine, reader: AsyncEngine
) -> None:
    story = Story()
    await projected(redis, writer, job_log(story, many(story, N)))
    first = await examples_page(reader, story.job_id, ExampleFilters())
    assert (first.total, first.pages, len(first.examples)) == (N + 2, 3, PAGE_SIZE)
    last = await examples_page(reader, story.job_id, ExampleFilters(), 3)
    assert len(last.examples) == N + 2 - 2 * PAGE_SIZE
    beyond = await examples_page(reader, story.job_id, ExampleFilters(), 4)
    assert (beyond.examples, beyond.total) == ([], N + 2)
    everything = await ids_of(reader, story.job_id, ExampleFilters())
    assert everything == sorted(everything) and len(set(everything)) == N + 2
    assert (await examples_page(reader, "job_other", ExampleFilters())).total == 0


def expected(examples: list[ExampleScored], keep: object) -> list[str]:
    return sorted(s.example.event_id for s in examples if keep(s))  # type: ignore[operator]


async def test_each_filter_selects_what_it_names(
    redis: Redis, writer: AsyncEngine, reader: AsyncEngine
) -> None:
    story = Story()
    examples = [*story.scored, *many(story, N)]
    await projected(redis, writer, job_log(story, examples[2:]))
    cases = [
        (ExampleFilters(verdict="passed"), lambda s: s.passed),
        (ExampleFilters(verdict="rejected"), lambda s: not s.passed),
        (ExampleFilters(min_score=0.5, max_score=0.8), lambda s: 0.5 <= s.score <= 0.8),
        (ExampleFilters(check="toxicity"), lambda s: s.scores.get("toxicity", 1) < 0.7),
        (ExampleFilters(check="readability"), lambda s: s.scores["readability"] < 0.7),
        (ExampleFilters(url="GUIDE/1"), lambda s: "guide/1" in s.example.url),
        (ExampleFilters(url="%"), lambda s: False),  # a LIKE wildcard is matched as text
        (
            ExampleFilters(verdict="rejected", check="readability", url="blog"),
            lambda s: not s.passed and s.scores["readability"] < 0.7 and "blog" in s.example.url,
        ),
    ]
    for filters, keep in cases:
        assert await ids_of(reader, story.job_id, filters) == expected(examples, keep), filters


async def test_an_example_shows_its_scores_failing_checks_and_reasons(
    redis: Redis, writer: AsyncEngine, reader: AsyncEngine
) -> None:
    story = Story()
    await projected(redis, writer, job_log(story, many(story, 8)))
    shown = await get_example(reader, "ex_00007")
    assert shown is not None
    assert shown.scores == {"readability": 0.7, "toxicity": 0.2}
    assert (shown.failing, shown.verdict, shown.passed_qc) == (["toxicity"], "rejected", False)
    assert shown.reasons == ["toxic(p=0.80)"]
    assert shown.input == "Question 7 <b>bold</b>?", "text is kept as text"
    assert await get_example(reader, "ex_missing") is None


async def test_the_latest_review_decides_and_the_latest_edit_gives_the_text(
    redis: Redis, writer: AsyncEngine, reader: AsyncEngine
) -> None:
    story = Story()
    job = story.job_id
    reviews = [
        review(job, "ex_00007", "approve", at(10)),  # rejected by the inspector
        review(job, "ex_00001", "edit", at(11), output="Better."),
        review(job, "ex_00001", "reject", at(12)),
        review(job, "ex_00002", "edit", at(13), input="Why?"),
        review(job, "ex_00002", "approve", at(14)),
    ]
    # Published newest first, one twice: the order of the log does not change the state.
    log = job_log(story, many(story, 8)) + [(streams.EVENTS, r) for r in reviews[::-1]]
    await projected(redis, writer, [*log, (streams.EVENTS, reviews[0])])
    approved, rejected, kept = [await get_example(reader, f"ex_0000{i}") for i in (7, 1, 2)]
    assert approved and rejected and kept
    assert (approved.verdict, approved.passed_qc, approved.review.action) == (  # type: ignore[union-attr]
        "passed",
        False,
        "approve",
    )
    assert (rejected.verdict, rejected.output, rejected.original_output) == (
        "rejected",
        "Better.",
        "Answer 1.",
    )
    assert (kept.verdict, kept.input, kept.output) == ("passed", "Why?", "Answer 2.")
    page = await examples_page(reader, job, ExampleFilters(reviewed=True))
    assert [e.id for e in page.examples] == ["ex_00001", "ex_00002", "ex_00007"]
    passed = await ids_of(reader, job, ExampleFilters(verdict="passed"))
    assert "ex_00007" in passed and "ex_00001" not in passed


async def test_a_passed_example_shows_warnings_and_a_kept_edit_is_scored_again(
    redis: Redis, writer: AsyncEngine, reader: AsyncEngine
) -> None:
    story = Story()
    examples = many(story, 10)  # 5, 6, 8 and 9 pass
    examples[5] = examples[5].model_copy(update={"warnings": ["hard_to_read(flesch=30)"]})
    examples[6] = examples[6].model_copy(update={"reasons": ["not_a_question"]})  # older log
    edits = [
        review(story.job_id, "ex_00008", "edit", at(10), output="This is an example answer."),
        review(story.job_id, "ex_00009", "edit", at(10), output="Fowler and Baker did."),
    ]
    await projected(redis, writer, job_log(story, examples) + [(streams.EVENTS, r) for r in edits])
    shown = [await get_example(reader, f"ex_0000{i}") for i in (5, 6, 8, 9)]
    assert [(e.verdict, e.reasons, e.warnings) for e in shown if e] == [
        ("passed", [], ["hard_to_read(flesch=30)"]),
        ("passed", [], ["not_a_question"]),
        ("rejected", ["edited: filler"], []),
        ("passed", [], []),
    ]


async def test_a_copy_an_export_left_out_shows_as_rejected_with_the_example_kept(
    redis: Redis, writer: AsyncEngine, reader: AsyncEngine
) -> None:
    story = Story()
    examples = [s for s in many(story, 20) if s.passed]
    kept, exact, near = (s.example.event_id for s in examples[:3])
    removed = DuplicatesRemoved(
        event_id="dedup_1", job_id=story.job_id, export_id="export_1", at=at(9),
        removed={exact: (kept, "exact"), near: (kept, "0.912")},
    )  # fmt: skip
    await projected(redis, writer, [*job_log(story, examples), (streams.EVENTS, removed)])
    rejected = await examples_page(reader, story.job_id, ExampleFilters(verdict="rejected"))
    shown = {e.id: (e.duplicate_of, e.reasons) for e in rejected.examples if e.duplicate_of}
    assert shown == {
        exact: (kept, [f"duplicate_of:{kept}"]),
        near: (kept, [f"near_duplicate_of:{kept}(cos=0.912)"]),
    }
    assert (await get_example(reader, kept)).verdict == "passed"  # type: ignore[union-attr]
