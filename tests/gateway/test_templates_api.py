"""Template routes and the template check at job submission."""

from __future__ import annotations

import httpx

from tests.gateway.test_api import new_project


async def test_templates_are_listed_with_their_schema(client: httpx.AsyncClient) -> None:
    names = {t["name"] for t in (await client.get("/api/templates")).json()}
    assert {"qa", "summarization", "classification", "instruction"} <= names
    qa = (await client.get("/api/templates/qa")).json()
    assert qa["output_schema"]["type"] == "object"
    assert (await client.get("/api/templates/nope")).status_code == 404


async def test_a_job_with_a_broken_template_is_refused_before_anything_runs(
    client: httpx.AsyncClient,
) -> None:
    project = await new_project(client)
    bad = [
        {"generation": {"template": "nope"}},
        {"generation": {"template": "classification", "template_params": {"labels": 5}}},
    ]
    for config in bad:
        response = await client.post(
            f"/api/projects/{project}/jobs",
            json={"urls": ["https://example.com/a"], "config": config},
        )
        assert response.status_code == 422, response.text
        assert "template" in response.text
    labels = {
        "generation": {"template": "classification", "template_params": {"labels": ["a", "b"]}}
    }
    ok = await client.post(
        f"/api/projects/{project}/jobs", json={"urls": ["https://example.com/a"], "config": labels}
    )
    assert ok.status_code == 202, ok.text
