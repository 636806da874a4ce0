"""A job's live LLM totals: one Redis hash the factory increments and the gateway reads.

The factory adds to fields of `FactoryTotals` in its call's MULTI; the gateway shows them
while the job runs, before the log's events for those calls are projected. The same amounts
also go to one hash per model, which never expires: the operator's counters (`/metrics`)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from redis.asyncio import Redis
from redis.asyncio.client import Pipeline

from shared.contract.streams import factory_totals_key

# The set of every per-model hash's key, so readers find them without scanning keys.
MODEL_KEYS = "df:metrics:llm-models"


def model_key(model: str) -> str:
    return f"df:metrics:llm:{model}"


class FactoryTotals(BaseModel):
    calls: int = 0  # HTTP calls made, failed ones included
    retries: int = 0
    repairs: int = 0  # calls that showed the LLM its own unusable answer
    cache_hits: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = 0  # prompt tokens the provider served from its prompt cache
    expected_tokens: int = 0  # completion tokens the templates expected: calibrates budgets
    spent_usd: float = 0.0
    dry_run_calls: int = 0
    dry_run_usd: float = 0.0  # what a dry run would have spent


def add(pipe: Pipeline, job_id: str, model: str | None = None, /, **amounts: float) -> None:
    """Adds to the job's totals (and the model's) inside the caller's pipeline; only known
    fields exist."""
    _add(pipe, factory_totals_key(job_id), amounts)
    if model is not None:
        add_for_model(pipe, model, **amounts)


def add_for_model(pipe: Pipeline, model: str, /, **amounts: float) -> None:
    """Adds to the model's counters alone: LLM calls that are not the factory's (the
    inspector's judge) count there, not in a job's factory totals."""
    pipe.sadd(MODEL_KEYS, model_key(model))
    _add(pipe, model_key(model), amounts)


def _add(pipe: Pipeline, key: str, amounts: dict[str, float]) -> None:
    for name, integral, amount in _increments(amounts):
        if integral:
            pipe.hincrby(key, name, int(amount))
        else:
            pipe.hincrbyfloat(key, name, amount)


def script_args(**amounts: float) -> list[str | float]:
    """The same increments flattened as (field, "i" or "f", amount) for a Lua script that adds
    them with HINCRBY or HINCRBYFLOAT alongside other work in one round trip."""
    flat: list[str | float] = []
    for name, integral, amount in _increments(amounts):
        flat += [name, "i" if integral else "f", int(amount) if integral else repr(amount)]
    return flat


def _increments(amounts: dict[str, float]) -> list[tuple[str, bool, float]]:
    fields = FactoryTotals.model_fields
    return [(k, fields[k].annotation is not float, v) for k, v in amounts.items() if v]


async def read(redis: Redis, job_id: str) -> FactoryTotals:
    return await read_key(redis, factory_totals_key(job_id))


async def read_key(redis: Redis, key: str) -> FactoryTotals:
    raw: dict[Any, Any] = await redis.hgetall(key)
    values = {k.decode() if isinstance(k, bytes) else k: v for k, v in raw.items()}
    return FactoryTotals.model_validate(
        {k: v for k, v in values.items() if k in FactoryTotals.model_fields}
    )
