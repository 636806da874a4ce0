"""The projector against a real redis-server and SQLite file: rows, counts, idempotence."""

from __future__ import annotations

from redis.asyncio import Redis
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from services.gateway.queries import views
from services.gateway.readmodel.ledger import ALL_TABLES
from services.gateway.readmodel.projector import Projector
from services.gateway.readmodel.tables import outcomes, training_examples
from shared.contract import streams
from shared.contract.events import BatchSubmitted
from tests.gateway.conftest import projecting, publish_log
from tests.gateway.story import Story


async def row_counts(engine: AsyncEngine) -> dict[str, int]:
    async with engine.connect() as conn:
        return {
            t.name: (await conn.execute(select(func.count()).select_from(t))).scalar_one()
            for t in ALL_TABLES
        }


async def test_projects_a_job_log_into_rows_and_stage_counts(
    redis: Redis, writer: AsyncEngine, reader: AsyncEngine
) -> None:
    story = Story()
    await publish_log(redis, story.log())
    async with projecting(Projector(redis, writer, block_ms=50)) as projector:
        assert await projector.caught_up(10)
    status = await views.job_status(reader, story.job_id)
    assert status is not None
    assert (status.status, status.stage, status.finished) == ("completed", "done", True)
    assert status.project_name == "Docs"
    s = status.stages
    assert (s.spider.total, s.spider.fetched, s.spider.failed) == (2, 1, 1)
    assert (s.refiner.total, s.refiner.documents, s.refiner.chunks, s.refiner.dropped) == (
        1,
        1,
        2,
        1,
    )
    assert (s.factory.total, s.factory.done, s.factory.examples, s.factory.failed) == (2, 1, 2, 1)
    assert (s.inspector.total, s.inspector.passed, s.inspector.rejected) == (2, 1, 1)
    assert status.cost_usd == 0.0027, "a chunk that failed after paid calls counts"
    assert (status.prompt_tokens, status.completion_tokens, status.tokens) == (150, 50, 200)
    assert [e.path for e in status.exports] == ["exports/job/v1/dataset.jsonl"]
    assert status.completed_at == "2026-03-01T12:00:06.000000Z"
    counts = await row_counts(reader)
    assert counts == {
        "projects": 1,
        "jobs": 1,
        "raw_documents": 1,
        "chunks": 3,
        "training_examples": 2,
        "exports": 1,
        "outcomes": 7,
        "batch_chunks": 0,
        "spending": 2,
        "example_reviews": 0,
        "checkpoints": len(streams.ALL_STREAMS),
        "projection_failures": 0,
    }


async def test_failures_appear_in_the_job_log_with_reasons(
    redis: Redis, writer: AsyncEngine, reader: AsyncEngine
) -> None:
    story = Story()
    await publish_log(redis, story.log())
    async with projecting(Projector(redis, writer, block_ms=50)) as projector:
        assert await projector.caught_up(10)
    logs = await views.job_logs(reader, story.job_id)
    assert [(e.stage, e.outcome, e.reason) for e in logs] == [
        ("spider", "failed", "http_404"),
        ("factory", "failed", "llm_invalid_json"),
    ]
    everything = await views.job_logs(reader, story.job_id, include_ok=True)
    assert len(everything) == 7


async def test_restarting_from_checkpoints_and_republished_events_double_nothing(
    redis: Redis, writer: AsyncEngine, reader: AsyncEngine
) -> None:
    story = Story()
    await publish_log(redis, story.log())
    async with projecting(Projector(redis, writer, block_ms=50)) as projector:
        assert await projector.caught_up(10)
    before = await row_counts(reader)
    first = await views.job_status(reader, story.job_id)
    await publish_log(redis, story.log())  # the same event ids again, as new entries
    async with projecting(Projector(redis, writer, block_ms=50)) as restarted:
        assert await restarted.caught_up(10)
        assert restarted.applied == len(story.log())  # only the new entries were read
    assert await row_counts(reader) == before
    assert await views.job_status(reader, story.job_id) == first


async def test_a_score_applied_before_its_example_still_gives_the_whole_row(
    redis: Redis, writer: AsyncEngine, reader: AsyncEngine
) -> None:
    story = Story()
    await publish_log(redis, [(streams.SHIPPER, story.scored[0])])
    async with projecting(Projector(redis, writer, block_ms=50)) as projector:
        assert await projector.caught_up(10)
        await publish_log(redis, [(streams.INSPECTOR, story.examples[0])])
        assert await projector.caught_up(10)
    async with reader.connect() as conn:
        row = (await conn.execute(select(training_examples))).one()
    assert (row.input_text, row.passed_qc, row.quality_score) == ("Question 0?", True, 0.9)


async def test_read_models_use_wal_with_a_busy_timeout(
    writer: AsyncEngine, reader: AsyncEngine
) -> None:
    async with reader.connect() as conn:
        mode = (await conn.exec_driver_sql("PRAGMA journal_mode")).scalar_one()
        timeout = (await conn.exec_driver_sql("PRAGMA busy_timeout")).scalar_one()
    assert (mode, timeout) == ("wal", 10_000)


async def test_a_long_read_does_not_hold_up_the_projector(
    redis: Redis, writer: AsyncEngine, reader: AsyncEngine
) -> None:
    story = Story()
    async with reader.connect() as conn:
        await conn.execute(select(func.count()).select_from(outcomes))  # read transaction open
        await publish_log(redis, story.log())
        async with projecting(Projector(redis, writer, block_ms=50)) as projector:
            assert await projector.caught_up(10)
    assert (await row_counts(reader))["outcomes"] == 7


async def test_chunks_in_a_provider_batch_wait_until_their_outcomes_arrive(
    redis: Redis, writer: AsyncEngine, reader: AsyncEngine
) -> None:
    story = Story()
    settled = [chunk.event_id for chunk in story.chunks]  # one generated, one failed
    batch = BatchSubmitted(
        event_id="batch_event",
        job_id=story.job_id,
        batch_id="batch_abc",
        chunk_ids=[*settled, "chunk_still_out"],
    )
    await publish_log(redis, [*story.log(), (streams.EVENTS, batch)])
    async with projecting(Projector(redis, writer, block_ms=50)) as projector:
        assert await projector.caught_up(10)
    status = await views.job_status(reader, story.job_id)
    assert status is not None
    assert [b.model_dump() for b in status.provider_batches] == [
        {"batch_id": "batch_abc", "chunks": 3, "waiting": 1}
    ]
