"""What each kind of call adds to its job's LLM totals (shared.totals), in the call's MULTI."""

from __future__ import annotations

from redis.asyncio.client import Pipeline

from services.factory.values import Call, Usage
from shared import totals


def answered(pipe: Pipeline, call: Call, usage: Usage) -> None:
    """An HTTP call that returned an answer (usable or not); its cost counts as spent.
    `expected_tokens` (the template's expected answer sizes) calibrates budget reservations."""
    totals.add(
        pipe,
        call.job_id,
        calls=1,
        repairs=int(call.repair),
        prompt_tokens=usage.prompt_tokens,
        completion_tokens=usage.completion_tokens,
        expected_tokens=call.completion_tokens,
        spent_usd=usage.cost_usd,
    )


def unanswered(pipe: Pipeline, job_id: str, retried: bool) -> None:
    """An HTTP call that failed (rate limit, server error, timeout); nothing is spent."""
    totals.add(pipe, job_id, calls=1, retries=int(retried))


def cache_hit(pipe: Pipeline, job_id: str) -> None:
    totals.add(pipe, job_id, cache_hits=1)


def dry_run(pipe: Pipeline, job_id: str, usage: Usage) -> None:
    """A mocked call: what it would have cost is estimated, never spent."""
    totals.add(pipe, job_id, dry_run_calls=1, dry_run_usd=usage.cost_usd)
