"""The factory's LLM calls add to its model's counters as well as to the job's totals."""

from __future__ import annotations

import pytest
from redis.asyncio import Redis

from services.llm_sim.background import serving
from services.llm_sim.server import SimConfig
from shared import snapshot
from shared.settings import Settings
from tests.factory.stage import chunks, job_totals, run_factory, with_sim


async def test_llm_calls_tokens_and_cost_are_counted_per_model(
    settings: Settings, redis: Redis
) -> None:
    with serving(SimConfig(latency_ms=10, jitter_ms=5)) as url:
        await run_factory(with_sim(settings, url), chunks(3, job="job_a"))
        await run_factory(with_sim(settings, url), chunks(2, job="job_b"))
    per_model = (await snapshot.take(redis)).llm
    assert list(per_model) == [settings.llm_model]
    model = per_model[settings.llm_model]
    first, second = await job_totals(settings, "job_a"), await job_totals(settings, "job_b")
    assert model.calls == first["calls"] + second.get("calls", 0) >= 3
    assert model.prompt_tokens == first["prompt_tokens"] + second.get("prompt_tokens", 0) > 0
    assert model.spent_usd == pytest.approx(first["spent_usd"] + second.get("spent_usd", 0))
