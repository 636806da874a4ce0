"""The factory under a misbehaving LLM and several replicas: nothing silent, limits held, keys hidden."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import pytest
from pydantic import SecretStr
from redis.asyncio import Redis
from redis.exceptions import ResponseError

from services.llm_sim.background import serving
from services.llm_sim.server import SimConfig
from shared.contract import streams
from shared.settings import Settings
from tests.factory.stage import chunks, held, job_totals, run_factory, sim_stats, with_sim
from tests.helpers import read_raw

TRANSIENT = {"llm_rate_limited", "llm_error", "llm_timeout"}


async def test_every_chunk_is_accounted_for_and_retries_counted_under_faults(
    settings: Settings,
) -> None:
    config = SimConfig(
        latency_ms=10,
        rate_429=0.1,
        rate_500=0.1,
        rate_timeout=0.05,
        rate_malformed=0.05,
        timeout_s=1.5,
        retry_after_s=0.02,
        seed=11,
    )
    work = chunks(40, examples_per_chunk=2)
    with serving(config) as url:
        outcomes = await run_factory(with_sim(settings, url, llm_timeout_s=0.4), work)
        stats = sim_stats(url)
    assert sorted(outcomes.per_chunk()) == sorted(c.event_id for c in work)
    assert set(outcomes.per_chunk().values()) == {1}
    assert len(outcomes.examples) == sum(g.examples for g in outcomes.generated)
    assert all(f.reason in TRANSIENT | {"malformed_output"} and f.detail for f in outcomes.failed)
    faults = stats["outcomes"]
    transient = faults["rate_limited"] + faults["server_error"] + faults["timeout"]
    given_up = sum(1 for f in outcomes.failed if f.reason in TRANSIENT)
    totals = await job_totals(settings)
    assert totals["calls"] == stats["total"]
    assert totals["retries"] == transient - given_up > 0
    assert totals["repairs"] >= faults["malformed"] - sum(
        1 for f in outcomes.failed if f.reason == "malformed_output"
    )
    assert await held(settings) == 0


async def test_two_replicas_never_exceed_the_jobs_llm_concurrency(settings: Settings) -> None:
    seen: set[str] = set()

    async def watch(redis: Redis) -> None:
        while True:
            with contextlib.suppress(ResponseError):  # the group does not exist yet
                pending = await redis.xpending(streams.FACTORY, "factory")
                seen.update(c["name"].decode() for c in pending["consumers"] if c["pending"])
            await asyncio.sleep(0.02)

    with serving(SimConfig(latency_ms=120, jitter_ms=0)) as url:
        busy = with_sim(settings, url, llm_concurrency=8, max_records=2)
        redis = Redis.from_url(settings.redis_dsn)
        watcher = asyncio.create_task(watch(redis))
        work = chunks(12, max_concurrent_llm=2, examples_per_chunk=1)
        outcomes = await run_factory(busy, work, replicas=2)
        watcher.cancel()
        await redis.aclose()
        stats = sim_stats(url)
    assert len(outcomes.generated) == 12
    assert len(seen) == 2, "both replicas must have worked on the job"
    assert stats["max_in_flight"] == 2


async def test_api_keys_never_reach_logs_events_or_examples(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "sk-test-SECRET-4f9a2c"
    caplog.set_level(logging.DEBUG)
    with serving(SimConfig(latency_ms=0, api_key="sk-the-right-one")) as url:
        wrong = with_sim(settings, url, llm_api_key=SecretStr(secret))
        outcomes = await run_factory(wrong, chunks(2))
        assert sim_stats(url)["outcomes"] == {"unauthorized": 2}
    assert [f.reason for f in outcomes.failed] == ["llm_http_401"] * 2
    assert "Incorrect API key provided: ***" in outcomes.failed[0].detail
    assert secret not in caplog.text
    redis = Redis.from_url(settings.redis_dsn)
    for stream in streams.ALL_STREAMS:
        assert secret.encode() not in b"".join(
            v for _, fields in await read_raw(redis, stream) for v in fields.values()
        )
    await redis.aclose()


async def test_a_right_key_is_sent_and_answered(settings: Settings) -> None:
    key = "sk-the-right-one"
    with serving(SimConfig(latency_ms=0, api_key=key)) as url:
        right = with_sim(settings, url, llm_api_key=SecretStr(key))
        outcomes = await run_factory(right, chunks(1))
    assert len(outcomes.generated) == 1
