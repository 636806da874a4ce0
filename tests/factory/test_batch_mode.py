"""Batch mode on the simulator's Batch API: every chunk gets one outcome at the batch price,
failed lines go online, and a chunk whose batch was already submitted resumes it."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from redis.asyncio import Redis

from services.factory import keys
from services.factory.app import create_app
from services.llm_sim.background import serving
from services.llm_sim.server import SimConfig
from shared.contract import streams
from shared.runtime import costs
from shared.settings import Settings
from tests.factory.stage import (
    FAST,
    JOB,
    Chunks,
    Outcomes,
    chunks,
    held,
    job_totals,
    run_factory,
    sim_stats,
    with_sim,
)
from tests.helpers import configure, publish, read_all, running, wait_for

# Provider batches with replicas killed mid-way: 15 s each locally, waits up to 60 s.
pytestmark = pytest.mark.timeout(180)

QUICK = {"llm_batch_window_s": 0.1, "llm_batch_poll_s": 0.05}
ROOT = Path(__file__).resolve().parents[2]


def batches(url: str) -> list[dict[str, object]]:
    return list(httpx.get(f"{url}/batches").json()["data"])


def submit(url: str, custom_id: str) -> str:
    """A one-line batch created straight at the provider, as a dead replica left it."""
    line: dict[str, object] = {
        "custom_id": custom_id,
        "method": "POST",
        "url": "/v1/chat/completions",
    }
    line["body"] = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}
    upload = httpx.post(f"{url}/files", files={"file": json.dumps(line).encode()})
    body = {"input_file_id": upload.json()["id"], "endpoint": "/v1/chat/completions"}
    return str(httpx.post(f"{url}/batches", json=body).json()["id"])


async def test_a_batch_mode_job_is_answered_by_one_provider_batch_at_the_batch_price(
    settings: Settings,
) -> None:
    work = chunks(6, mode="batch")
    with serving(SimConfig(batch_delay_s=0.3)) as url:
        outcomes = await run_factory(with_sim(settings, url, **QUICK), work)
        assert sim_stats(url)["total"] == 0, "no online call"
        [batch] = batches(url)
    assert batch["request_counts"] == {"total": 6, "completed": 6, "failed": 0}
    assert outcomes.failed == [] and len(outcomes.examples) == 18
    assert [e.type for e in outcomes.events].count("BatchSubmitted") == 1
    for done in outcomes.generated:
        tokens = done.prompt_tokens, done.completion_tokens
        assert done.cost_usd == pytest.approx(costs.cost_usd("gpt-4o-mini", *tokens, batch=True))
        online = costs.cost_usd("gpt-4o-mini", *tokens)
        assert online is not None and done.cost_usd == pytest.approx(online / 2)


async def test_lines_the_provider_failed_are_retried_online(settings: Settings) -> None:
    work = chunks(8, mode="batch")
    with serving(SimConfig(batch_delay_s=0.1, batch_failure_rate=0.5, seed=3)) as url:
        outcomes = await run_factory(with_sim(settings, url, **QUICK), work)
        [batch] = batches(url)
        failed = batch["request_counts"]["failed"]  # type: ignore[index]
        assert 0 < failed < 8 and sim_stats(url)["total"] == failed
    assert outcomes.failed == [] and set(outcomes.per_chunk().values()) == {1}


async def test_a_chunk_whose_batch_was_submitted_resumes_polling_it(settings: Settings) -> None:
    """As after a replica died mid-batch: the chunk's record names a batch; none is added."""
    work = chunks(1, mode="batch")
    with serving(SimConfig(batch_delay_s=0.2)) as url:
        batch_id = submit(url, work[0].event_id)
        redis = Redis.from_url(settings.redis_dsn)
        await redis.hset(f"df:factory:batch:{work[0].event_id}", "batch_id", batch_id)
        await redis.aclose()
        outcomes = await run_factory(with_sim(settings, url, **QUICK), work)
        assert [b["id"] for b in batches(url)] == [batch_id]
    assert len(outcomes.per_chunk()) == 1 and sum(outcomes.per_chunk().values()) == 1


async def test_a_replica_killed_while_its_batch_is_in_flight_never_resubmits_it(
    settings: Settings,
) -> None:
    work = chunks(4, mode="batch")
    redis = await _queued(settings, work)
    with serving(SimConfig(batch_delay_s=4.0)) as url:
        doomed = _replica(settings, url)
        try:
            await wait_for(lambda: asyncio.to_thread(batches, url), bool, timeout=60)
        finally:
            doomed.kill()  # SIGKILL while the provider still works on the batch
            doomed.wait()
        outcomes = await _survive(settings, url, redis, work)
        assert len(batches(url)) == 1, "the batch in flight was resumed, not submitted again"
    assert set(outcomes.per_chunk().values()) == {1} and outcomes.failed == []


async def test_a_replica_killed_before_it_recorded_its_new_batch_finds_it_by_its_group(
    settings: Settings,
) -> None:
    work = chunks(4, mode="batch")
    redis = await _queued(settings, work)
    with serving(SimConfig(batch_delay_s=0.5, batch_create_delay_s=30)) as url:
        doomed = _replica(settings, url)
        try:  # the provider stored the batch; its id is still on the way back
            await wait_for(lambda: asyncio.to_thread(batches, url), bool, timeout=60)
        finally:
            doomed.kill()
            doomed.wait()
        records = [await redis.hgetall(f"df:factory:batch:{c.event_id}") for c in work]
        assert all(set(r) == {b"group"} for r in records), "died between creating and recording"
        outcomes = await _survive(settings, url, redis, work)
        assert len(batches(url)) == 1, "the unrecorded batch was found, not submitted again"
    assert set(outcomes.per_chunk().values()) == {1} and outcomes.failed == []
    [submitted] = {e.event_id: e for e in outcomes.events if e.type == "BatchSubmitted"}.values()
    assert sorted(submitted.chunk_ids) == sorted(c.event_id for c in work), "shown with every line"


async def _queued(settings: Settings, work: Chunks) -> Redis:
    redis = Redis.from_url(settings.redis_dsn)
    await configure(redis, JOB, config=work.config)
    await redis.hset(streams.tally_key(JOB), "outstanding", len(work))
    await publish(redis, streams.FACTORY, *work)
    return redis


def _replica(settings: Settings, url: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATAFACTORY_REDIS_URL": settings.redis_dsn,
        "DATAFACTORY_DATA_DIR": str(settings.data_dir),
        "DATAFACTORY_LLM_API_BASE": url,
        "DATAFACTORY_CLAIM_IDLE_MS": "2000",
        "DATAFACTORY_LLM_BATCH_WINDOW_S": "0.1",
        "DATAFACTORY_LLM_BATCH_POLL_S": "0.05",
    }
    return subprocess.Popen([sys.executable, "-m", "services.factory"], env=env, cwd=ROOT)


async def _survive(settings: Settings, url: str, redis: Redis, work: Chunks) -> Outcomes:
    """A fresh replica reclaims the dead one's entries and settles every chunk."""
    survivor = with_sim(settings, url, **QUICK, claim_idle_ms=2000)
    async with running(create_app(survivor, FAST)):
        return await wait_for(
            lambda: _outcomes(redis), lambda o: len(o.per_chunk()) == len(work), timeout=60
        )


async def _outcomes(redis: Redis) -> Outcomes:
    return Outcomes(await read_all(redis, streams.EVENTS), [], JOB)


@pytest.mark.parametrize("end", ["expired", "cancelled"])
async def test_a_batch_the_provider_gave_up_on_fails_each_chunk_with_the_reason(
    settings: Settings, end: str
) -> None:
    work = chunks(3, mode="batch")
    with serving(SimConfig(batch_delay_s=0.1, batch_end=end)) as url:
        outcomes = await run_factory(with_sim(settings, url, **QUICK), work)
        assert sim_stats(url)["total"] == 0, "nothing was asked online"
    assert outcomes.generated == [] and len(outcomes.failed) == 3
    assert {(f.reason, f.outcome) for f in outcomes.failed} == {(f"batch_{end}", "failed")}
    assert all(f"ended {end}" in f.detail for f in outcomes.failed)
    assert set(outcomes.per_chunk().values()) == {1}


async def test_a_batch_line_answered_before_is_not_sent_again(settings: Settings) -> None:
    with serving(SimConfig(batch_delay_s=0.1)) as url:
        sim = with_sim(settings, url, **QUICK)
        first = await run_factory(sim, chunks(3, mode="batch"))
        again = await run_factory(sim, chunks(3, job="job_again", mode="batch"))
        assert len(batches(url)) == 1, "the second job's lines were answered from the cache"
    assert len(first.generated) == len(again.generated) == 3
    assert again.cost_usd() == 0, "another job paid for these answers"
    assert (await job_totals(settings, "job_again"))["cache_hits"] == 3


async def test_a_batch_mode_job_stops_at_its_spending_cap(settings: Settings) -> None:
    """Each line reserves its cost at the batch price before it joins a batch, so lines past
    the cap wait for the batch in flight and are then skipped, never sent."""
    with serving(SimConfig(batch_delay_s=0.2)) as url:
        sim = with_sim(settings, url, **QUICK)
        uncapped = await run_factory(sim, chunks(6, job="job_uncapped", mode="batch"))
        redis = Redis.from_url(settings.redis_dsn)
        await redis.delete(*[k async for k in redis.scan_iter(f"{keys.CACHE_PREFIX}*")])
        await redis.aclose()
        cap = uncapped.cost_usd() / 2
        capped = await run_factory(sim, chunks(6, mode="batch", max_cost_usd=cap))
        sent = sum(b["request_counts"]["total"] for b in batches(url)[:-1])  # type: ignore[index]
    skipped = [f for f in capped.failed if f.reason == "budget_exhausted"]
    assert 0 < len(skipped) < 6 and len(capped.generated) + len(skipped) == 6
    assert sent == len(capped.generated), "a skipped line never reached the provider"
    most = max(g.cost_usd for g in uncapped.generated)
    assert capped.cost_usd() <= cap + most  # the cap holds within about one call's cost
    assert set(capped.per_chunk().values()) == {1} and await held(settings) == 0
