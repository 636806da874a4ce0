"""Cost statistics by day, model and stage, projected from a real log into SQLite."""

from __future__ import annotations

from datetime import date, timedelta

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from services.gateway.queries.costs import cost_stats
from services.gateway.readmodel.projector import Projector
from shared.contract import streams
from tests.gateway.conftest import projecting, publish_log
from tests.gateway.story import Story

DAY = date(2026, 3, 1)  # the story's day


async def projected(redis: Redis, writer: AsyncEngine, story: Story) -> None:
    judged = story.scored[0].model_copy(
        update={
            "event_id": "judged",
            "cost_usd": 0.004,
            "at": story.scored[0].at - timedelta(days=1),
        }
    )
    await publish_log(redis, [*story.log(), (streams.SHIPPER, judged)])
    async with projecting(Projector(redis, writer, block_ms=50)) as projector:
        assert await projector.caught_up(10)


async def test_spending_is_split_by_day_model_and_stage(
    redis: Redis, writer: AsyncEngine, reader: AsyncEngine
) -> None:
    await projected(redis, writer, Story())
    stats = await cost_stats(reader, 3, default_model="sim-model", today=DAY)
    assert [(d.day, round(d.cost_usd, 6)) for d in stats.by_day] == [
        ("2026-02-27", 0.0),
        ("2026-02-28", 0.004),
        ("2026-03-01", 0.0027),
    ]
    assert [(m.model, round(m.cost_usd, 6)) for m in stats.by_model] == [
        ("sim-model", 0.0045),  # the failed chunk's and the judge's job left the model open
        ("gpt-4o-mini", 0.0022),
    ]
    assert [(s.stage, round(s.cost_usd, 6)) for s in stats.by_stage] == [
        ("factory", 0.0027),
        ("inspector", 0.004),
    ]
    assert (stats.total.prompt_tokens, stats.total.completion_tokens) == (150, 50)
    assert round(stats.total.cost_usd, 6) == 0.0067


async def test_spending_before_the_window_is_left_out(
    redis: Redis, writer: AsyncEngine, reader: AsyncEngine
) -> None:
    await projected(redis, writer, Story())
    stats = await cost_stats(reader, 1, today=DAY + timedelta(days=1))
    assert stats.since == "2026-03-02" and stats.cells == [] and stats.total.cost_usd == 0
    assert [d.day for d in stats.by_day] == ["2026-03-02"]
