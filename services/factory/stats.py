"""A job's LLM totals in the hash `df:factory:{job_id}`, for the gateway: calls made, retries,
repairs, cache hits, tokens and dollars spent (or, in a dry run, what a real run would spend)."""

from __future__ import annotations

from redis.asyncio.client import Pipeline

from services.factory import keys
from services.factory.values import Call, Usage


def answered(pipe: Pipeline, call: Call, usage: Usage) -> None:
    """An HTTP call that returned an answer (usable or not); its cost counts as spent.
    `expected_tokens` (the template's expected answer sizes) calibrates budget reservations."""
    key = keys.job(call.job_id)
    pipe.hincrby(key, "calls", 1)
    if call.repair:
        pipe.hincrby(key, "repairs", 1)
    pipe.hincrby(key, "prompt_tokens", usage.prompt_tokens)
    pipe.hincrby(key, "completion_tokens", usage.completion_tokens)
    pipe.hincrby(key, "expected_tokens", call.completion_tokens)
    pipe.hincrbyfloat(key, "spent_usd", usage.cost_usd)


def unanswered(pipe: Pipeline, job_id: str, retried: bool) -> None:
    """An HTTP call that failed (rate limit, server error, timeout); nothing is spent."""
    pipe.hincrby(keys.job(job_id), "calls", 1)
    if retried:
        pipe.hincrby(keys.job(job_id), "retries", 1)


def cache_hit(pipe: Pipeline, job_id: str) -> None:
    pipe.hincrby(keys.job(job_id), "cache_hits", 1)


def dry_run(pipe: Pipeline, job_id: str, usage: Usage) -> None:
    """A mocked call: what it would have cost is estimated, never spent."""
    key = keys.job(job_id)
    pipe.hincrby(key, "dry_run_calls", 1)
    pipe.hincrbyfloat(key, "dry_run_usd", usage.cost_usd)
