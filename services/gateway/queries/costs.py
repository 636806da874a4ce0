"""LLM spending by day, model and stage over recent days, from the read model's spending rows."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from services.gateway.queries.stat_models import (
    CostByModel,
    CostByStage,
    CostCell,
    CostDay,
    CostSlice,
    CostStats,
)
from services.gateway.readmodel.rows import NANO
from services.gateway.readmodel.tables import jobs, spending

Sums = tuple[int, int, int]  # nano-dollars, prompt tokens, completion tokens


def _model(default_model: str) -> Any:
    """A row's model, else the one the job configured for the stage, else the deployment's."""
    config = jobs.c.config
    generation = func.json_extract(config, "$.generation.model")
    judge = func.json_extract(config, "$.quality.judge_model")
    configured = func.iif(
        spending.c.stage == "inspector", func.coalesce(judge, generation), generation
    )
    return func.coalesce(spending.c.model, configured, default_model)


def _query(since: str, default_model: str) -> Any:
    s = spending.c
    model = _model(default_model).label("model")
    sums = (func.sum(s.cost_nano), func.sum(s.prompt_tokens), func.sum(s.completion_tokens))
    return (
        select(s.day, model, s.stage, *sums)
        .select_from(spending.outerjoin(jobs, jobs.c.id == s.job_id))
        .where(s.day >= since)
        .group_by(s.day, model, s.stage)
        .order_by(s.day, model, s.stage)
    )


def _slice(sums: Sums) -> dict[str, Any]:
    nano, prompt, completion = sums
    return {"cost_usd": nano / NANO, "prompt_tokens": prompt, "completion_tokens": completion}


def _add(a: Sums, b: Sums) -> Sums:
    return (a[0] + b[0], a[1] + b[1], a[2] + b[2])


def _grouped(
    cells: Iterable[tuple[str, str, str, Sums]], key: Callable[..., str]
) -> dict[str, Sums]:
    found: dict[str, Sums] = defaultdict(lambda: (0, 0, 0))
    for day, model, stage, sums in cells:
        name = key(day, model, stage)
        found[name] = _add(found[name], sums)
    return found


def _days(since: date, count: int) -> list[str]:
    return [(since + timedelta(days=n)).isoformat() for n in range(count)]


async def cost_stats(
    reader: AsyncEngine, days: int = 7, *, default_model: str = "default", today: date | None = None
) -> CostStats:
    """Spending of the `days` days up to `today` (UTC); `default_model` names spending whose
    job left the model to the deployment (the gateway passes `settings.llm_model`)."""
    first = (today or datetime.now(UTC).date()) - timedelta(days=days - 1)
    async with reader.connect() as conn:
        rows = await conn.execute(_query(first.isoformat(), default_model))
        cells = [(d, m, st, (int(n or 0), int(p or 0), int(c or 0))) for d, m, st, n, p, c in rows]
    per_day = _grouped(cells, lambda d, m, s: d)
    per_model = _grouped(cells, lambda d, m, s: m)
    per_stage = _grouped(cells, lambda d, m, s: s)
    total = _grouped(cells, lambda d, m, s: "all").get("all", (0, 0, 0))
    return CostStats(
        days=days,
        since=first.isoformat(),
        total=CostSlice(**_slice(total)),
        by_day=[CostDay(day=d, **_slice(per_day.get(d, (0, 0, 0)))) for d in _days(first, days)],
        by_model=[
            CostByModel(model=m, **_slice(v))
            for m, v in sorted(per_model.items(), key=lambda kv: (-kv[1][0], kv[0]))
        ],
        by_stage=[CostByStage(stage=s, **_slice(v)) for s, v in sorted(per_stage.items())],
        cells=[CostCell(day=d, model=m, stage=st, **_slice(v)) for d, m, st, v in cells],
    )
