"""A job's live LLM totals: one Redis hash the factory increments and the gateway reads.

The factory adds to fields of `FactoryTotals` in its call's MULTI; the gateway shows them
while the job runs, before the log's events for those calls are projected."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from redis.asyncio import Redis
from redis.asyncio.client import Pipeline

from shared.streams import factory_totals_key


class FactoryTotals(BaseModel):
    calls: int = 0  # HTTP calls made, failed ones included
    retries: int = 0
    repairs: int = 0  # calls that showed the LLM its own unusable answer
    cache_hits: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    expected_tokens: int = 0  # completion tokens the templates expected: calibrates budgets
    spent_usd: float = 0.0
    dry_run_calls: int = 0
    dry_run_usd: float = 0.0  # what a dry run would have spent


def add(pipe: Pipeline, job_id: str, **amounts: float) -> None:
    """Adds to the job's totals inside the caller's pipeline; only known fields exist."""
    key = factory_totals_key(job_id)
    for name, amount in amounts.items():
        if not amount:
            continue
        kind = FactoryTotals.model_fields[name].annotation
        if kind is float:
            pipe.hincrbyfloat(key, name, amount)
        else:
            pipe.hincrby(key, name, int(amount))


async def read(redis: Redis, job_id: str) -> FactoryTotals:
    raw: dict[Any, Any] = await redis.hgetall(factory_totals_key(job_id))
    values = {k.decode() if isinstance(k, bytes) else k: v for k, v in raw.items()}
    return FactoryTotals.model_validate(
        {k: v for k, v in values.items() if k in FactoryTotals.model_fields}
    )
