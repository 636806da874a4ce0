"""A small job through the embedded stack: /metrics shows its work queued, then every group's
lag and pending entries falling to 0 as the job ends, and each stage's items counted."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from shared.contract import streams
from shared.settings import Settings
from tests.e2e.conftest import pipeline

# Whole processes on CI's two busy cores: minutes, not the one-minute default.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]


def scrape(client: httpx.Client) -> dict[str, dict[str, float]]:
    """Per metric name: sample value by its stage or stream label."""
    found: dict[str, dict[str, float]] = {}
    text = client.get("/metrics").text
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            label = sample.labels.get("group") or sample.labels.get("stage") or ""
            found.setdefault(sample.name, {})[label or sample.labels.get("stream", "")] = (
                sample.value
            )
    return found


def backlog(samples: dict[str, dict[str, float]]) -> float:
    """Work items queued or in flight over every stage's group."""
    lag, pending = (
        samples.get("datafactory_group_lag", {}),
        samples.get("datafactory_group_pending", {}),
    )
    return sum(lag.get(stage, 0) + pending.get(stage, 0) for stage in streams.STAGES)


def drained(samples: dict[str, dict[str, float]]) -> bool:
    """The shipper's items are counted and the projector has applied the whole log."""
    projector = samples.get("datafactory_projector_lag_entries", {})
    shipped = samples.get("datafactory_stage_items_total", {}).get("shipper", 0)
    return shipped > 0 and projector.get(streams.EVENTS) == 0


def until(probe: Any, done: Any, timeout: float) -> Any:
    deadline = time.monotonic() + timeout
    while not done(value := probe()):
        assert time.monotonic() < deadline, f"not reached in {timeout}s: {value}"
        time.sleep(0.1)
    return value


def test_metrics_show_a_jobs_queues_draining_to_zero(
    settings: Settings, corpus_hosts: list[str], corpus_manifest: list[dict[str, Any]]
) -> None:
    urls = [
        f"{host}/{page['file']}"
        for host, page in zip(corpus_hosts[:5], corpus_manifest, strict=False)
    ]
    fast = settings.model_copy(update={"metrics_flush_s": 0.2})
    with pipeline(fast, {}, sim_args=("--latency-ms", "200", "--jitter-ms", "50")) as p:
        job_id = p.submit(urls)
        seen = [backlog(scrape(p.client))]

        def exported() -> object:
            seen.append(backlog(scrape(p.client)))
            return p.job(job_id).get("exports")

        until(exported, bool, 180)
        final = until(
            lambda: scrape(p.client),
            lambda s: backlog(s) == 0 and drained(s),
            30,
        )
    assert max(seen) > 0, "the job's items were seen queued or in flight"
    for stage in streams.STAGES:
        assert final["datafactory_group_lag"][stage] == 0
        assert final["datafactory_group_pending"][stage] == 0
        assert final["datafactory_stage_replicas"][stage] == 1
    assert final["datafactory_stage_items_total"]["spider"] >= len(urls)
    assert final["datafactory_llm_calls_total"], "LLM calls are counted per model"
