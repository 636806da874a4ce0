"""Batch mode on the simulator's Batch API: every chunk gets one outcome at the batch price,
failed lines go online, and a chunk whose batch was already submitted resumes it."""

from __future__ import annotations

import json

import httpx
import pytest
from redis.asyncio import Redis

from services.llm_sim.background import serving
from services.llm_sim.server import SimConfig
from shared import costs
from shared.settings import Settings
from tests.factory.stage import chunks, run_factory, sim_stats, with_sim

QUICK = {"llm_batch_window_s": 0.1, "llm_batch_poll_s": 0.05}


def batches(url: str) -> list[dict[str, object]]:
    return list(httpx.get(f"{url}/batches").json()["data"])


def submit(url: str, custom_id: str) -> str:
    """A one-line batch created straight at the provider, as a dead replica left it."""
    line = {"custom_id": custom_id, "method": "POST", "url": "/v1/chat/completions"}
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
        assert done.cost_usd == pytest.approx(costs.cost_usd("gpt-4o-mini", *tokens) / 2)


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
