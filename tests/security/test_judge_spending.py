"""The inspector's LLM judge spends like the factory: only on an allowed model, with an answer
capped by max_tokens, and within the job's spending cap, which the judge and the factory
share (against the simulator on 127.0.0.1 and a real Redis)."""

from __future__ import annotations

import pytest
from redis.asyncio import Redis

from services.inspector.app import build_inspector
from services.llm_sim.background import serving
from services.llm_sim.server import SimConfig
from shared.contract.config import GenerationConfig, JobConfig, QualityConfig
from shared.contract.events import ExampleScored
from shared.runtime import budget
from shared.runtime.stage import Work
from shared.settings import Settings
from tests.factory.stage import chunks, job_totals, run_factory, sim_stats, with_sim
from tests.inspector.labelled import example
from tests.inspector.test_stage import DESIGNED

JUDGED = (*QualityConfig().checks, "judge")


def config(judge_model: str | None = None, cap: float | None = None) -> JobConfig:
    return JobConfig(
        generation=GenerationConfig(max_cost_usd=cap),
        quality=QualityConfig(checks=JUDGED, judge_model=judge_model),
    )


async def judge(settings: Settings, url: str, job: JobConfig) -> ExampleScored:
    inspector = build_inspector(with_sim(settings, url), Redis.from_url(settings.redis_dsn))
    [outcome] = await inspector.score([Work("0-1", example(*DESIGNED), job)])
    assert not isinstance(outcome, Exception)
    [emit] = outcome
    assert isinstance(emit.event, ExampleScored)
    return emit.event


async def test_the_judge_asks_for_a_bounded_answer_and_counts_its_cost_for_the_job(
    settings: Settings,
) -> None:
    with serving(SimConfig(latency_ms=5)) as url:
        scored = await judge(settings, url, config())
        assert sim_stats(url)["max_tokens"] == {"200": 1}
    assert scored.backends["judge"] == f"llm:{settings.llm_model}"
    spent = await job_totals(settings, "job1")
    assert scored.cost_usd > 0
    assert spent.get(budget.JUDGE_SPENT) == pytest.approx(scored.cost_usd)
    assert "calls" not in spent, "the factory's own counters stay its own"


async def test_a_judge_model_outside_the_allow_list_is_never_called(settings: Settings) -> None:
    with serving(SimConfig(latency_ms=5)) as url:
        scored = await judge(settings, url, config(judge_model="gpt-4-32k"))
        assert sim_stats(url)["max_tokens"] == {}
    assert "judge_model_not_allowed" in scored.reasons + scored.warnings
    assert scored.scores["judge"] == 0


async def test_the_judge_is_not_called_once_the_jobs_cap_is_spent(settings: Settings) -> None:
    redis = Redis.from_url(settings.redis_dsn)
    await redis.hset(budget.totals_key("job1"), "spent_usd", 0.01)  # the factory spent it all
    with serving(SimConfig(latency_ms=5)) as url:
        scored = await judge(settings, url, config(cap=0.01))
        assert sim_stats(url)["max_tokens"] == {}
    assert "judge_budget_exhausted" in scored.reasons + scored.warnings
    assert scored.scores["judge"] == 0
    await redis.aclose()


async def test_the_factory_counts_what_the_judge_spent_against_the_cap(
    settings: Settings,
) -> None:
    work = chunks(2, job="job_shared", max_cost_usd=0.01)
    redis = Redis.from_url(settings.redis_dsn)
    await redis.hset(budget.totals_key("job_shared"), budget.JUDGE_SPENT, 0.01)
    with serving(SimConfig(latency_ms=5)) as url:
        outcomes = await run_factory(with_sim(settings, url), work)
        assert sim_stats(url)["max_tokens"] == {}
    assert [f.reason for f in outcomes.failed] == ["budget_exhausted"] * 2
    await redis.aclose()
