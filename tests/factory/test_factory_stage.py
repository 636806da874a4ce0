"""The factory on a real Redis with the simulator on real HTTP: outcomes, costs, faults, limits."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from redis.asyncio import Redis

from services.factory.logic import RetryPolicy
from services.llm_sim.background import serving
from services.llm_sim.server import SimConfig
from shared.contract import streams
from shared.contract.ids import derive
from shared.contract.templates import get_template
from shared.settings import Settings
from tests.factory.stage import FAST, JOB, chunks, run_factory, sim_stats, with_sim

PATIENT = RetryPolicy(base_s=0.01, cap_s=2.0)


@pytest.fixture
def sim_settings(settings: Settings) -> Iterator[tuple[Settings, str]]:
    with serving(SimConfig(latency_ms=20, jitter_ms=10)) as url:
        yield with_sim(settings, url), url


async def test_every_chunk_becomes_its_examples_with_tokens_and_costs(
    sim_settings: tuple[Settings, str],
) -> None:
    settings, _ = sim_settings
    work = chunks(6, template="qa", examples_per_chunk=3)
    outcomes = await run_factory(settings, work)
    assert outcomes.failed == []
    assert len(outcomes.generated) == 6
    assert len(outcomes.examples) == 18
    ids = {derive(c.event_id, "example", i) for c in work for i in range(3)}
    assert {e.event_id for e in outcomes.examples} == ids
    for example in outcomes.examples:
        assert example.type == "ExampleGenerated" and example.template == "qa"
        assert example.simulated and example.model == "gpt-4o-mini"
        assert example.cost_usd > 0 and example.prompt_tokens > 0 and example.completion_tokens > 0
        assert example.input.endswith("?") and example.output
    for summary in outcomes.generated:
        mine = [e for e in outcomes.examples if e.chunk_id == summary.chunk_id]
        assert summary.examples == 3
        assert summary.prompt_tokens == sum(e.prompt_tokens for e in mine)
        assert summary.cost_usd == pytest.approx(sum(e.cost_usd for e in mine))


async def test_the_job_tally_counts_the_examples_handed_to_the_inspector(
    sim_settings: tuple[Settings, str],
) -> None:
    settings, _ = sim_settings
    await run_factory(settings, chunks(4, template="summarization", examples_per_chunk=2))
    redis = Redis.from_url(settings.redis_dsn)
    assert int(await redis.hget(streams.tally_key(JOB), "outstanding") or -1) == 8
    await redis.aclose()


@pytest.mark.parametrize("template", ["qa", "summarization", "classification", "instruction"])
async def test_each_built_in_template_yields_schema_valid_examples(
    sim_settings: tuple[Settings, str], template: str
) -> None:
    settings, _ = sim_settings
    outcomes = await run_factory(settings, chunks(2, template=template, examples_per_chunk=2))
    assert len(outcomes.examples) == 4 and outcomes.failed == []
    output = get_template(template).output
    [items] = output.model_json_schema()["required"]  # each answer is one list of items
    output.model_validate({items: [e.fields for e in outcomes.examples]})
    assert {(e.template, e.language) for e in outcomes.examples} == {(template, "en")}


async def test_template_parameters_reach_the_prompt_and_the_parser(
    sim_settings: tuple[Settings, str],
) -> None:
    settings, _ = sim_settings
    labels = {"labels": ["insects", "plants", "sport"]}
    work = chunks(3, template="classification", template_params=labels)
    outcomes = await run_factory(settings, work)
    assert len(outcomes.examples) == 9
    assert {e.output for e in outcomes.examples} <= set(labels["labels"])
    assert all(e.fields["labels"] == labels["labels"] for e in outcomes.examples)


async def test_every_chunk_gets_exactly_one_outcome_when_the_llm_misbehaves(
    settings: Settings,
) -> None:
    config = SimConfig(latency_ms=10, rate_429=0.3, rate_malformed=0.3, retry_after_s=0.02, seed=3)
    with serving(config) as url:
        outcomes = await run_factory(with_sim(settings, url), chunks(16, examples_per_chunk=2))
        stats = sim_stats(url)
    assert set(outcomes.per_chunk().values()) == {1}
    assert {f.reason for f in outcomes.failed} <= {"malformed_output", "llm_rate_limited"}
    assert len(outcomes.examples) == sum(g.examples for g in outcomes.generated)
    assert stats["outcomes"]["rate_limited"] > 0 and stats["outcomes"]["malformed"] > 0


async def test_persistently_malformed_answers_fail_the_chunk_after_repairs(
    settings: Settings,
) -> None:
    with serving(SimConfig(latency_ms=0, rate_malformed=1.0)) as url:
        outcomes = await run_factory(with_sim(settings, url), chunks(3))
        stats = sim_stats(url)
    assert outcomes.examples == []
    assert [f.reason for f in outcomes.failed] == ["malformed_output"] * 3
    assert all("answer:" in f.detail and f.stage == "factory" for f in outcomes.failed)
    assert stats["total"] == 3 * (1 + FAST.repairs)


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        ({"rate_429": 1.0, "retry_after_s": 0.01}, "llm_rate_limited"),
        ({"rate_500": 1.0}, "llm_error"),
        ({"rate_timeout": 1.0, "timeout_s": 3.0}, "llm_timeout"),
    ],
)
async def test_transient_errors_are_retried_then_reported(
    settings: Settings, fault: dict[str, float], reason: str
) -> None:
    with serving(SimConfig(latency_ms=0, **fault)) as url:
        outcomes = await run_factory(with_sim(settings, url, llm_timeout_s=0.3), chunks(2))
        stats = sim_stats(url)
    assert [f.reason for f in outcomes.failed] == [reason, reason]
    assert stats["total"] == 2 * FAST.attempts


async def test_rate_limited_calls_wait_the_retry_after_the_server_asks_for(
    settings: Settings,
) -> None:
    with serving(SimConfig(latency_ms=0, rate_429=1.0, retry_after_s=0.25)) as url:
        started = time.monotonic()
        outcomes = await run_factory(with_sim(settings, url), chunks(1), policy=PATIENT)
        elapsed = time.monotonic() - started
    assert [f.reason for f in outcomes.failed] == ["llm_rate_limited"]
    assert elapsed >= (PATIENT.attempts - 1) * 0.25


async def test_client_errors_fail_without_retries(sim_settings: tuple[Settings, str]) -> None:
    settings, url = sim_settings
    wrong = with_sim(settings, f"{url}/missing")
    outcomes = await run_factory(wrong, chunks(2))
    assert [f.reason for f in outcomes.failed] == ["llm_http_404"] * 2
    assert sim_stats(url)["total"] == 0


async def test_an_unknown_template_fails_the_chunk_without_calling_the_llm(
    sim_settings: tuple[Settings, str],
) -> None:
    settings, url = sim_settings
    outcomes = await run_factory(settings, chunks(2, template="poetry"))
    assert [f.reason for f in outcomes.failed] == ["unknown_template"] * 2
    assert "qa" in outcomes.failed[0].detail
    assert sim_stats(url)["total"] == 0


async def test_llm_calls_of_a_job_stay_within_its_max_concurrent_llm(settings: Settings) -> None:
    with serving(SimConfig(latency_ms=150, jitter_ms=0)) as url:
        busy = with_sim(settings, url, llm_concurrency=8)
        outcomes = await run_factory(busy, chunks(8, max_concurrent_llm=2, examples_per_chunk=1))
        stats = sim_stats(url)
    assert len(outcomes.generated) == 8
    assert stats["max_in_flight"] == 2
