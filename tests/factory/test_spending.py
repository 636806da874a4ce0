"""What a job spends: the budget cap, the shared response cache, dry runs and the job's totals."""

from __future__ import annotations

import pytest

from services.llm_sim.background import serving
from services.llm_sim.server import SimConfig
from shared.runtime import costs
from shared.settings import Settings
from tests.factory.stage import chunks, held, job_totals, run_factory, sim_stats, with_sim

FAST_SIM = SimConfig(latency_ms=20, jitter_ms=10)


async def test_the_budget_cap_stops_spending_within_one_request_of_the_cap(
    settings: Settings,
) -> None:
    one_chunk = costs.estimate_average(chunks(1).config.generation, "gpt-4o-mini", 1, 80)
    cap = 4.5 * one_chunk.cost_usd
    work = chunks(14, max_cost_usd=cap, max_concurrent_llm=3)
    with serving(FAST_SIM) as url:
        outcomes = await run_factory(with_sim(settings, url), work)
        calls = sim_stats(url)["total"]
    assert set(outcomes.per_chunk().values()) == {1}
    skipped = [f for f in outcomes.failed if f.reason == "budget_exhausted"]
    assert skipped and all(f.outcome == "skipped" for f in skipped)
    assert len(skipped) + len(outcomes.generated) == len(work)
    request = max(g.cost_usd for g in outcomes.generated)
    assert cap - request <= outcomes.cost_usd() <= cap + request
    totals = await job_totals(settings)
    assert totals["spent_usd"] == pytest.approx(outcomes.cost_usd())
    assert totals["budget_exhausted"] == pytest.approx(cap)
    assert calls == len(outcomes.generated) == totals["calls"]
    assert await held(settings) == 0


async def test_a_second_identical_run_makes_no_llm_calls_and_costs_nothing(
    settings: Settings,
) -> None:
    with serving(FAST_SIM) as url:
        first = await run_factory(with_sim(settings, url), chunks(4, job="job_a"))
        calls = sim_stats(url)["total"]
        second = await run_factory(with_sim(settings, url), chunks(4, job="job_b"))
        assert sim_stats(url)["total"] == calls == 4
    assert sorted((e.input, e.output) for e in second.examples) == sorted(
        (e.input, e.output) for e in first.examples
    )
    assert first.cost_usd() > 0 and second.cost_usd() == 0
    assert all(e.cost_usd == 0 and e.prompt_tokens == 0 for e in second.examples)
    assert (await job_totals(settings, "job_b")) == {"cache_hits": 4}


async def test_a_replayed_chunk_reports_what_it_paid_without_calling_again(
    settings: Settings,
) -> None:
    work = chunks(2)
    with serving(FAST_SIM) as url:
        await run_factory(with_sim(settings, url), work)
        outcomes = await run_factory(with_sim(settings, url), work)
        assert sim_stats(url)["total"] == 2
    for chunk in work:
        costs_ = {g.cost_usd for g in outcomes.generated if g.chunk_id == chunk.event_id}
        assert len(costs_) == 1 and costs_.pop() > 0


async def test_a_dry_run_calls_nothing_and_reports_what_a_real_run_would_cost(
    settings: Settings,
) -> None:
    work = chunks(3, examples_per_chunk=2, dry_run=True, max_cost_usd=1e-9)
    with serving(FAST_SIM) as url:
        outcomes = await run_factory(with_sim(settings, url), work)
        assert sim_stats(url)["total"] == 0
    assert outcomes.failed == [] and len(outcomes.examples) == 6
    for example in outcomes.examples:
        assert example.simulated and example.fields["dry_run"] is True
        assert example.input.startswith("[dry run]")
    estimate = costs.estimate_average(work.config.generation, "gpt-4o-mini", 3, 60)
    assert outcomes.cost_usd() == pytest.approx(estimate.cost_usd, rel=0.1)
    totals = await job_totals(settings)
    assert totals["dry_run_usd"] == pytest.approx(outcomes.cost_usd())
    assert "spent_usd" not in totals and "calls" not in totals


async def test_a_dry_run_needs_no_reachable_server(settings: Settings) -> None:
    unreachable = with_sim(settings, "http://127.0.0.1:9/v1")
    outcomes = await run_factory(unreachable, chunks(2, dry_run=True, template="classification"))
    assert len(outcomes.generated) == 2 and outcomes.failed == []
