"""GET /metrics on the real gateway app: Prometheus' own parser reads every figure."""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr
from redis.asyncio import Redis

from services.gateway.app import create_app
from shared.contract import streams
from shared.ops import totals
from shared.ops.metrics import StageMetrics
from shared.settings import Settings
from tests.gateway.conftest import publish_log, served
from tests.gateway.story import Story
from tests.helpers import wait_for

__all__ = ["served"]  # the gateway's fixture, used here

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


async def scrape(http: httpx.AsyncClient) -> Samples:
    response = await http.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples[(name, tuple(sorted(labels.items())))]


async def record_llm_calls(redis: Redis) -> None:
    async with redis.pipeline(transaction=True) as pipe:
        totals.add(pipe, "job_a", "gpt-4o-mini", calls=3, retries=1, prompt_tokens=900)
        totals.add(pipe, "job_a", "gpt-4o-mini", completion_tokens=120, spent_usd=0.25)
        await pipe.execute()


async def test_metrics_show_queues_stages_llm_spend_and_projector_lag(
    served: tuple[FastAPI, httpx.AsyncClient], redis: Redis
) -> None:
    _app, http = served
    await redis.xgroup_create(streams.FACTORY, "factory", id="0", mkstream=True)
    await publish_log(redis, Story().log())
    await redis.xadd(streams.dead_letter(streams.FACTORY), {"n": 1})
    replica = StageMetrics(redis, "factory", "f1")
    replica.observe(2.0, items=4)
    await replica.flush()
    await record_llm_calls(redis)

    samples = await wait_for(
        lambda: scrape(http),
        lambda s: value(s, "datafactory_projector_lag_entries", stream=streams.EVENTS) == 0,
    )
    factory = {"stream": streams.FACTORY, "group": "factory"}
    chunks = len(Story().chunks)
    assert value(samples, "datafactory_group_lag", **factory) == chunks
    assert value(samples, "datafactory_group_pending", **factory) == 0
    assert value(samples, "datafactory_dead_letters", stream=streams.FACTORY) == 1
    assert value(samples, "datafactory_stage_items_total", stage="factory") == 4
    assert value(samples, "datafactory_stage_replicas", stage="factory") == 1
    assert (
        value(samples, "datafactory_stage_handler_seconds_bucket", stage="factory", le="1.0") == 0
    )
    assert (
        value(samples, "datafactory_stage_handler_seconds_bucket", stage="factory", le="2.5") == 1
    )
    assert value(samples, "datafactory_stage_handler_seconds_sum", stage="factory") == 2.0
    model = {"model": "gpt-4o-mini"}
    assert value(samples, "datafactory_llm_calls_total", **model) == 3
    assert value(samples, "datafactory_llm_retries_total", **model) == 1
    assert value(samples, "datafactory_llm_prompt_tokens_total", **model) == 900
    assert value(samples, "datafactory_llm_cost_usd_total", **model) == 0.25
    assert value(samples, "datafactory_projector_lag_seconds", stream=streams.EVENTS) == 0


async def test_a_cluster_gateway_answers_probes_and_scrapes_at_its_pod_ip(
    settings: Settings,
) -> None:
    """As deploy/k8s/gateway.yaml runs it: bound to 0.0.0.0 with a token, the pod's IP among
    the allowed hosts; kubelet and Prometheus send that IP as Host, Prometheus with the
    metrics token, which opens nothing else."""
    cluster = settings.model_copy(
        update={
            "gateway_host": "0.0.0.0",
            "api_token": SecretStr("a-cluster-token-of-32-characters"),
            "allowed_hosts": ["10.1.2.3", "gateway"],
            "metrics_token": SecretStr("a-metrics-token-of-32-characters"),
        }
    )
    app = create_app(cluster, dashboard=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://10.1.2.3:8000") as pod:
            assert (await pod.get("/health")).status_code == 200
            scraper = {"Authorization": "Bearer a-metrics-token-of-32-characters"}
            assert (await pod.get("/metrics")).status_code == 401
            assert (await pod.get("/metrics", headers=scraper)).status_code == 200
            assert (await pod.get("/api/projects", headers=scraper)).status_code == 401
