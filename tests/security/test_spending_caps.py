"""The factory's own defences, for work that reaches its stream without the gateway: models it
may not call, models it cannot price, jobs without a cap, and answers without a ceiling."""

from __future__ import annotations

import pytest

from services.factory import logic
from services.llm_sim.background import serving
from services.llm_sim.server import SimConfig
from shared.contract.templates import get_template
from shared.runtime import costs
from shared.settings import Settings
from tests.factory.stage import chunks, job_totals, run_factory, sim_stats, with_sim

FAST_SIM = SimConfig(latency_ms=10, jitter_ms=5)


@pytest.mark.parametrize("model", ["ollama/llama3", "gpt-4o", "anthropic/claude-3-haiku"])
async def test_a_foreign_model_fails_every_item_without_a_call(
    settings: Settings, model: str
) -> None:
    with serving(FAST_SIM) as url:
        outcomes = await run_factory(with_sim(settings, url), chunks(3, model=model))
        assert sim_stats(url)["total"] == 0
    assert [f.reason for f in outcomes.failed] == ["model_not_allowed"] * 3
    assert model in outcomes.failed[0].detail and outcomes.examples == []


async def test_an_allowed_but_unpriced_model_fails_without_a_call(settings: Settings) -> None:
    with serving(FAST_SIM) as url:
        local = with_sim(settings, url, llm_models=["my-local-llama"])
        outcomes = await run_factory(local, chunks(2, model="my-local-llama"))
        assert sim_stats(url)["total"] == 0
    assert [f.reason for f in outcomes.failed] == ["model_unpriced"] * 2
    assert "DATAFACTORY_LLM_PRICE_PER_1K_TOKENS" in outcomes.failed[0].detail


async def test_an_unpriced_model_the_operator_prices_is_called_and_billed_at_that_price(
    settings: Settings,
) -> None:
    per_1k = 0.01
    with serving(FAST_SIM) as url:
        local = with_sim(
            settings, url, llm_models=["my-local-llama"], llm_price_per_1k_tokens=per_1k
        )
        outcomes = await run_factory(local, chunks(2, model="my-local-llama"))
        assert sim_stats(url)["total"] == 2
    assert outcomes.failed == [] and len(outcomes.generated) == 2
    for done in outcomes.generated:
        tokens = done.prompt_tokens + done.completion_tokens
        assert done.cost_usd == pytest.approx(tokens * per_1k / 1000)


async def test_the_default_cap_stops_a_job_that_sets_none(settings: Settings) -> None:
    one_chunk = costs.estimate_average(chunks(1).config.generation, "gpt-4o-mini", 1, 80)
    cap = 3.5 * one_chunk.cost_usd
    work = chunks(12, max_concurrent_llm=2)
    assert work.config.generation.max_cost_usd is None
    with serving(FAST_SIM) as url:
        outcomes = await run_factory(with_sim(settings, url, default_max_cost_usd=cap), work)
        calls = sim_stats(url)["total"]
    skipped = [f for f in outcomes.failed if f.reason == "budget_exhausted"]
    assert skipped and all(f.outcome == "skipped" for f in skipped)
    assert calls == len(outcomes.generated) < len(work)
    assert outcomes.cost_usd() <= cap + max(g.cost_usd for g in outcomes.generated)
    assert (await job_totals(settings))["budget_exhausted"] == pytest.approx(cap)


async def test_every_call_sends_max_tokens_from_the_template_with_a_margin(
    settings: Settings,
) -> None:
    work = chunks(3, examples_per_chunk=2)
    expected = get_template("qa").completion_tokens(work[0].token_count, 2)
    with serving(FAST_SIM) as url:
        await run_factory(with_sim(settings, url), work)
        sent = sim_stats(url)["max_tokens"]
    assert sent == {str(logic.max_tokens(expected, settings.llm_max_tokens)): 3}
    assert expected < logic.max_tokens(expected, settings.llm_max_tokens) <= 4 * expected + 256


async def test_max_tokens_never_exceeds_the_deployments_ceiling(settings: Settings) -> None:
    with serving(FAST_SIM) as url:
        await run_factory(with_sim(settings, url, llm_max_tokens=64), chunks(2, job="job_low"))
        assert sim_stats(url)["max_tokens"] == {"64": 2}
