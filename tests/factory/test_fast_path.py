"""The fast path (the openai client straight to an OpenAI-compatible server) and the litellm
path give the same examples, costs, totals and cache behaviour for the same prompts."""

from __future__ import annotations

from typing import Any

import pytest
from redis.asyncio import Redis

from services.llm_sim.background import serving
from services.llm_sim.server import SimConfig
from shared.settings import Settings
from tests.factory.stage import Outcomes, chunks, job_totals, run_factory, sim_stats, with_sim

SIM = SimConfig(latency_ms=5, jitter_ms=2)
FAST_CLIENT = "datafactory-factory"


async def run_path(settings: Settings, fast: bool) -> tuple[Outcomes, Outcomes, Any, Any]:
    """A job, then the same job's prompts again (all cache hits), on a fresh Redis and server."""
    redis = Redis.from_url(settings.redis_dsn)
    await redis.flushall()
    await redis.aclose()
    with serving(SIM) as url:
        chosen = with_sim(settings, url, llm_fast_path=fast)
        first = await run_factory(chosen, chunks(5, job="job_a", template="qa"))
        again = await run_factory(chosen, chunks(5, job="job_b", template="qa"))
        stats = sim_stats(url)
    totals = await job_totals(settings, "job_a"), await job_totals(settings, "job_b")
    return first, again, stats, totals


def examples(outcomes: Outcomes) -> list[tuple[Any, ...]]:
    return sorted(
        (e.event_id, e.input, e.output, e.prompt_tokens, e.completion_tokens, e.cost_usd)
        for e in outcomes.examples
    )


async def test_both_paths_give_the_same_examples_costs_and_totals(settings: Settings) -> None:
    fast, fast_again, fast_stats, fast_totals = await run_path(settings, fast=True)
    slow, slow_again, slow_stats, slow_totals = await run_path(settings, fast=False)
    assert fast_stats["clients"] == {FAST_CLIENT: 5}
    assert FAST_CLIENT not in slow_stats["clients"] and slow_stats["total"] == 5
    assert len(fast.examples) == 15 and fast.failed == slow.failed == []
    assert examples(fast) == examples(slow)
    assert fast.cost_usd() == pytest.approx(slow.cost_usd()) and slow.cost_usd() > 0
    assert fast_totals[1] == slow_totals[1]
    assert fast_totals[0] == pytest.approx(slow_totals[0])  # summed in another order
    assert fast_totals[1] == {"cache_hits": 5}
    assert fast_again.cost_usd() == slow_again.cost_usd() == 0


async def test_cached_prompt_tokens_are_priced_at_the_providers_discount(
    settings: Settings,
) -> None:
    with serving(SimConfig(latency_ms=5, jitter_ms=2, cached_prefix_tokens=64)) as url:
        outcomes = await run_factory(with_sim(settings, url), chunks(3))
    totals = await job_totals(settings)
    assert totals["cached_tokens"] == 3 * 64
    full = 0.15e-6 * totals["prompt_tokens"] + 0.6e-6 * totals["completion_tokens"]
    discount = 3 * 64 * (0.15e-6 - 0.075e-6)  # gpt-4o-mini reads a cached token at half price
    assert outcomes.cost_usd() == pytest.approx(totals["spent_usd"])
    assert abs(totals["spent_usd"] - (full - discount)) < 1e-12
