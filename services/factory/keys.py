"""Redis keys of the factory's shared state: per-job totals, slots and reservations, the cache."""

from __future__ import annotations

from shared.contract import streams
from shared.runtime import budget

CACHE_PREFIX = "df:llm:cache:"
RATE_PREFIX = "df:llm:rate"


def job(job_id: str) -> str:
    """Hash of a job's LLM totals (calls, retries, cache_hits, spent_usd, …): the gateway's view."""
    return streams.factory_totals_key(job_id)


def slots(job_id: str) -> str:
    """Sorted set of the job's in-flight calls across replicas (`max_concurrent_llm`)."""
    return f"df:factory:{job_id}:slots"


def reserved(job_id: str) -> str:
    """Sorted set of the job's budget reservations of in-flight calls (the judge's too)."""
    return budget.reserved_key(job_id)
