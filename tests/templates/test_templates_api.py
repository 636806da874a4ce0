"""User templates over the API: saved as versioned events, shown with their source, refused
with the reason, and fixed in a job's config at submission."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from redis.asyncio import Redis

from shared.contract import jobconfig, streams
from tests.gateway.test_api import new_project
from tests.helpers import read_all
from tests.templates.samples import claims

URLS = ["https://example.com/a"]


async def submit(client: httpx.AsyncClient, generation: dict[str, Any]) -> httpx.Response:
    project = await new_project(client)
    body = {"urls": URLS, "config": {"generation": generation}}
    return await client.post(f"/api/projects/{project}/jobs", json=body)


async def test_a_saved_template_is_listed_and_shown_with_its_source(
    client: httpx.AsyncClient, redis: Redis
) -> None:
    created = await client.post("/api/templates", json=claims())
    assert created.status_code == 201, created.text
    assert created.json()["version"] == 1
    listed = {t["name"]: t for t in (await client.get("/api/templates")).json()}
    assert listed["claims"]["kind"] == "user" and listed["qa"]["kind"] == "built-in"
    assert listed["claims"]["params"]["strict"] == {
        "type": "boolean",
        "default": True,
        "description": "quote the evidence",
    }
    assert listed["classification"]["params"]["labels"]["type"] == "list"
    assert listed["conversation"]["params"]["turns"] == {
        "type": "integer",
        "default": 3,
        "description": "",
    }
    shown = (await client.get("/api/templates/claims")).json()
    assert "{% block user %}" in shown["source"] and "{{ text }}" in shown["source"]
    assert shown["spec"]["mapping"]["input"] == "claim"
    qa = (await client.get("/api/templates/qa")).json()
    assert "{% block system %}" in qa["source"] and qa["output_schema"]["type"] == "object"
    [saved] = [e for e in await read_all(redis, streams.EVENTS) if e.type == "TemplateSaved"]
    assert saved.spec.name == "claims" and saved.spec.version == 1


async def test_a_job_keeps_the_version_it_was_submitted_with(
    client: httpx.AsyncClient, redis: Redis
) -> None:
    await client.post("/api/templates", json=claims())
    first = await submit(client, {"template": "claims", "template_params": {"topics": ["bees"]}})
    assert first.status_code == 202, first.text
    edited = claims(description="Edited.", system="You find claims, edited.")
    second_version = await client.put("/api/templates/claims", json=edited)
    assert second_version.json()["version"] == 2
    pinned = await submit(client, {"template": "claims@1"})
    latest = await submit(client, {"template": "claims"})
    configs = jobconfig.JobConfigs(redis)
    kept = (await configs.get(first.json()["job_id"])).generation
    assert kept.template == "claims" and kept.template_spec is not None
    assert (kept.template_spec.version, kept.template_spec.description) == (1, CLAIMS_DESCRIPTION)
    pinned_spec = (await configs.get(pinned.json()["job_id"])).generation.template_spec
    assert pinned_spec is not None and pinned_spec.version == 1
    newest = (await configs.get(latest.json()["job_id"])).generation.template_spec
    assert newest is not None and (newest.version, newest.description) == (2, "Edited.")
    old = (await client.get("/api/templates/claims@1")).json()
    assert old["version"] == 1 and old["description"] == CLAIMS_DESCRIPTION


CLAIMS_DESCRIPTION = claims()["description"]


async def test_a_deleted_template_can_no_longer_be_named(client: httpx.AsyncClient) -> None:
    await client.post("/api/templates", json=claims())
    assert (await client.delete("/api/templates/claims")).status_code == 200
    assert (await client.get("/api/templates/claims")).status_code == 404
    refused = await submit(client, {"template": "claims"})
    assert refused.status_code == 422 and "unknown template" in refused.text
    assert (await client.delete("/api/templates/claims")).status_code == 404
    again = await client.post("/api/templates", json=claims())
    assert again.json()["version"] == 2  # versions are never reused


async def test_a_one_off_template_travels_in_the_job_config(
    client: httpx.AsyncClient, redis: Redis
) -> None:
    response = await submit(client, {"template": "claims", "template_spec": claims()})
    assert response.status_code == 202, response.text
    kept = (await jobconfig.JobConfigs(redis).get(response.json()["job_id"])).generation
    assert kept.template_spec is not None and kept.template_spec.version == 0
    assert (await client.get("/api/templates/claims")).status_code == 404  # not saved


REFUSED = {
    "does_not_parse": (claims(user="{% if %}"), "does not parse"),
    "forbidden_attribute": (claims(user="{{ ''.__class__.__mro__ }}"), "'__mro__'"),
    "huge_range": (claims(user="{{ range(10**9) | list }}{{ text }}"), "range of"),
    "schema_not_json_schema": (
        claims(output_schema={"type": "object", "properties": {"claim": {"minLength": -1}}}),
        "not valid JSON Schema",
    ),
    "mapping_to_missing_fields": (
        claims(mapping={"input": "claim", "output": "support"}),
        "schema lacks: support",
    ),
    "built_in_name": (claims(name="qa"), "built-in"),
    "bad_name": (claims(name="Bad Name!"), "name"),
    "undeclared_variable": (claims(system="{{ voice }}"), "unknown names: voice"),
}


@pytest.mark.parametrize(("body", "reason"), REFUSED.values(), ids=REFUSED.keys())
async def test_a_bad_template_gets_422_with_the_reason(
    client: httpx.AsyncClient, body: dict[str, Any], reason: str
) -> None:
    for response in (
        await client.post("/api/templates", json=body),
        await submit(client, {"template": body["name"], "template_spec": body}),
    ):
        assert response.status_code == 422, response.text
        assert reason in response.text
    assert (await client.put("/api/templates/claims", json=claims())).status_code == 404


async def test_names_that_collide_or_conflict_are_refused(client: httpx.AsyncClient) -> None:
    assert (await client.post("/api/templates", json=claims())).status_code == 201
    assert (await client.post("/api/templates", json=claims())).status_code == 409
    mismatch = await client.put("/api/templates/other", json=claims())
    assert mismatch.status_code == 422
    assert (await client.delete("/api/templates/qa")).status_code == 422
    for ref in ("claims@9", "claims@x", "nope"):
        assert (await submit(client, {"template": ref})).status_code == 422
