"""A job's quality and spending figures for its page: a score histogram and cost per stage."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Integer, case, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from services.gateway.readmodel.rows import NANO
from services.gateway.readmodel.tables import spending, training_examples

BINS = 10


@dataclass(frozen=True)
class Histogram:
    edges: list[float]  # BINS + 1 bin edges over [0, 1]
    passed: list[int]
    rejected: list[int]


@dataclass(frozen=True)
class StageCost:
    stage: str
    cost_usd: float
    prompt_tokens: int
    completion_tokens: int


async def score_histogram(engine: AsyncEngine, job_id: str, bins: int = BINS) -> Histogram:
    """Scored examples per score bin; a score of exactly 1 falls in the last bin."""
    te = training_examples.c
    index = func.min(func.cast(te.quality_score * bins, Integer), bins - 1)
    query = (
        select(index, te.passed_qc, func.count())
        .where(te.job_id == job_id, te.quality_score.is_not(None))
        .group_by(index, te.passed_qc)
    )
    passed, rejected = [0] * bins, [0] * bins
    async with engine.connect() as conn:
        for i, ok, n in await conn.execute(query):
            (passed if ok else rejected)[max(0, int(i))] += n
    return Histogram([round(i / bins, 4) for i in range(bins + 1)], passed, rejected)


async def stage_costs(engine: AsyncEngine, job_id: str) -> list[StageCost]:
    """LLM spending of the job per stage (generation at the factory, the judge at the
    inspector), from the spending rows the log's reports were projected into."""
    s = spending.c
    query = (
        select(
            s.stage,
            func.coalesce(func.sum(s.cost_nano), 0),
            func.coalesce(func.sum(s.prompt_tokens), 0),
            func.coalesce(func.sum(s.completion_tokens), 0),
        )
        .where(s.job_id == job_id)
        .group_by(s.stage)
        .order_by(case((s.stage == "factory", 0), else_=1), s.stage)
    )
    async with engine.connect() as conn:
        rows = await conn.execute(query)
        return [StageCost(stage, nano / NANO, p, c) for stage, nano, p, c in rows]
