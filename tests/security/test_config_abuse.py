"""Hostile job configs at the gateway: each is refused with 422 and a reason, before any work
item exists; what is accepted carries a spending cap."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from redis.asyncio import Redis

from services.gateway.app import create_app
from shared.contract import streams
from shared.settings import Settings

URLS = ["https://example.com/a"]
DEEP: dict[str, Any] = {"a": {"b": {"c": {"d": {"e": 1}}}}}


@pytest.fixture
async def gateway(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The gateway with its real lifespan, on a deployment that allows one extra model."""
    local = settings.model_copy(update={"llm_models": ["my-local-llama"]})
    app = create_app(local, dashboard=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
            yield client


async def submit(client: httpx.AsyncClient, config: dict[str, Any]) -> httpx.Response:
    project = (await client.post("/api/projects", json={"name": "abuse"})).json()["id"]
    return await client.post(f"/api/projects/{project}/jobs", json={"urls": URLS, "config": config})


@pytest.mark.parametrize(
    ("config", "says"),
    [
        ({"generation": {"template_params": {"x": "y" * 20_000}}}, "characters as JSON"),
        ({"generation": {"template_params": DEEP}}, "nested deeper than 4"),
        ({"generation": {"template_params": {"n": 1}}}, "n: set by the factory"),
        ({"generation": {"template_params": {"chunk_text": "x"}}}, "chunk_text"),
        (
            {
                "generation": {
                    "template": "classification",
                    "template_params": {"labels": ["a"] * 101},
                }
            },
            "at most 100 items",
        ),
        (
            {
                "generation": {
                    "template": "classification",
                    "template_params": {"labels": ["x" * 101, "b"]},
                }
            },
            "at most 100 characters",
        ),
        ({"processing": {"languages": ["en"] * 51}}, "at most 50 items"),
        ({"processing": {"languages": ["x" * 17]}}, "at most 16 characters"),
        ({"generation": {"model": "ollama/llama3"}}, "model_not_allowed"),
        ({"generation": {"model": "gpt-4o"}}, "model_not_allowed"),
        ({"quality": {"checks": ["judge"], "judge_model": "anthropic/claude-3"}}, "not allowed"),
        ({"generation": {"model": "my-local-llama"}}, "model_unpriced"),
    ],
)
async def test_an_abusive_job_config_is_refused_with_its_reason_and_starts_nothing(
    gateway: httpx.AsyncClient, redis_url: str, config: dict[str, Any], says: str
) -> None:
    response = await submit(gateway, config)
    assert response.status_code == 422, response.text
    assert says in response.text
    redis = Redis.from_url(redis_url)
    assert await redis.xlen(streams.SPIDER) == 0
    await redis.aclose()


async def test_an_unpriced_model_is_accepted_once_the_operator_prices_it(
    settings: Settings,
) -> None:
    priced = settings.model_copy(
        update={"llm_models": ["my-local-llama"], "llm_price_per_1k_tokens": 0.002}
    )
    app = create_app(priced, dashboard=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
            response = await submit(client, {"generation": {"model": "my-local-llama"}})
    assert response.status_code == 202, response.text


async def test_a_dry_run_of_an_unpriced_allowed_model_spends_nothing_and_is_accepted(
    gateway: httpx.AsyncClient,
) -> None:
    response = await submit(gateway, {"generation": {"model": "my-local-llama", "dry_run": True}})
    assert response.status_code == 202, response.text


async def test_a_job_without_a_spending_cap_gets_the_deployments_default(
    gateway: httpx.AsyncClient, settings: Settings
) -> None:
    accepted = (await submit(gateway, {})).json()
    assert accepted["config"]["generation"]["max_cost_usd"] == settings.default_max_cost_usd
    own = (await submit(gateway, {"generation": {"max_cost_usd": 0.5}})).json()
    assert own["config"]["generation"]["max_cost_usd"] == 0.5


@pytest.mark.parametrize("limit", [-1, 0, 10_001])
async def test_a_log_limit_outside_its_range_is_refused(
    gateway: httpx.AsyncClient, limit: int
) -> None:
    job_id = (await submit(gateway, {})).json()["job_id"]
    response = await gateway.get(f"/api/jobs/{job_id}/logs", params={"limit": limit})
    assert response.status_code == 422, response.text
    assert (await gateway.get(f"/api/jobs/{job_id}/logs?limit=5")).status_code == 200
