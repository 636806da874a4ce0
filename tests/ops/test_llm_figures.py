"""LLM calls add to their model's counters: the factory's (as well as to the job's totals) and
the inspector's judge's."""

from __future__ import annotations

import pytest
from redis.asyncio import Redis

from services.inspector.app import build_inspector
from services.llm_sim.background import serving
from services.llm_sim.server import SimConfig
from shared.contract.config import JobConfig, QualityConfig
from shared.ops import snapshot
from shared.runtime import budget
from shared.runtime.stage import Work
from shared.settings import Settings
from tests.factory.stage import chunks, job_totals, run_factory, with_sim
from tests.inspector.labelled import example
from tests.inspector.test_stage import DESIGNED


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


async def test_the_inspectors_judge_calls_count_for_their_model_too(
    settings: Settings, redis: Redis
) -> None:
    checks = (*QualityConfig().checks, "judge")
    config = JobConfig(quality=QualityConfig(checks=checks))
    question, answer = DESIGNED
    with serving(SimConfig(latency_ms=10, jitter_ms=5)) as url:
        inspector = build_inspector(with_sim(settings, url), Redis.from_url(settings.redis_dsn))
        [outcome] = await inspector.score([Work("0-1", example(question, answer), config)])
    assert not isinstance(outcome, Exception)
    model = (await snapshot.take(redis)).llm[settings.llm_model]
    assert model.calls == 1 and model.prompt_tokens > 0
    # The factory's counters are its own; the job's spending cap also counts the judge's.
    assert set(await job_totals(settings, "job1")) == {budget.JUDGE_SPENT}
