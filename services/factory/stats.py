"""What each kind of call adds to its job's LLM totals (shared.ops.totals), as named amounts that
ride in the call's own round trip to Redis."""

from __future__ import annotations

from services.factory.values import Call, Usage


def answered(call: Call, usage: Usage) -> dict[str, float]:
    """An HTTP call that returned an answer (usable or not); its cost counts as spent.
    `expected_tokens` (the template's expected answer sizes) calibrates budget reservations."""
    return {
        "calls": 1,
        "repairs": int(call.repair),
        "prompt_tokens": usage.prompt_tokens,
        "completion_tokens": usage.completion_tokens,
        "cached_tokens": usage.cached_tokens,
        "expected_tokens": call.completion_tokens,
        "spent_usd": usage.cost_usd,
    }


def unanswered(retried: bool) -> dict[str, float]:
    """An HTTP call that failed (rate limit, server error, timeout); nothing is spent."""
    return {"calls": 1, "retries": int(retried)}


def dry_run(usage: Usage) -> dict[str, float]:
    """A mocked call: what it would have cost is estimated, never spent."""
    return {"dry_run_calls": 1, "dry_run_usd": usage.cost_usd}
