"""Projects updated and deleted through the API, and a job's log filtered by level and stage."""

from __future__ import annotations

from typing import Any

import httpx
from redis.asyncio import Redis

from shared.contract import streams
from tests.gateway.conftest import publish_log
from tests.gateway.story import URLS, Story
from tests.gateway.test_api import job, new_project, stage_events
from tests.helpers import by_type, read_all, wait_for


async def project_jobs(client: httpx.AsyncClient, project_id: str, n: int) -> list[str]:
    ids = []
    for _ in range(n):
        response = await client.post(f"/api/projects/{project_id}/jobs", json={"urls": URLS})
        assert response.status_code == 202, response.text
        ids.append(response.json()["job_id"])
    return ids


async def finished_job(client: httpx.AsyncClient, redis: Redis) -> tuple[str, str]:
    """A new project's job, run to completion by the story's stage events."""
    project_id = await new_project(client)
    (job_id,) = await project_jobs(client, project_id, 1)
    await publish_log(redis, stage_events(Story(job_id)))
    await wait_for(lambda: job(client, job_id), lambda s: s["finished"])
    return project_id, job_id


async def test_an_update_replaces_name_and_description(client: httpx.AsyncClient) -> None:
    project_id = await new_project(client, "Old")
    body = {"name": "New", "description": "renamed"}
    updated = await client.put(f"/api/projects/{project_id}", json=body)
    assert updated.status_code == 200, updated.text
    assert (updated.json()["name"], updated.json()["description"]) == ("New", "renamed")
    found = (await client.get(f"/api/projects/{project_id}")).json()
    assert (found["name"], found["description"]) == ("New", "renamed")


async def test_an_update_is_validated_like_a_creation(client: httpx.AsyncClient) -> None:
    project_id = await new_project(client)
    response = await client.put(f"/api/projects/{project_id}", json={"name": ""})
    assert response.status_code == 422
    assert (await client.put("/api/projects/proj_nope", json={"name": "x"})).status_code == 404


async def test_a_deleted_project_is_gone_but_its_jobs_stay_readable(
    client: httpx.AsyncClient, redis: Redis
) -> None:
    project_id, job_id = await finished_job(client, redis)
    deleted = await client.delete(f"/api/projects/{project_id}")
    assert deleted.status_code == 200, deleted.text
    assert deleted.json()["cancelled_jobs"] == []
    assert (await client.get(f"/api/projects/{project_id}")).status_code == 404
    assert (await client.get("/api/projects")).json() == []
    assert (await client.delete(f"/api/projects/{project_id}")).status_code == 404
    assert (await job(client, job_id))["status"] == "completed"


async def test_deleting_a_project_with_active_jobs_is_refused(client: httpx.AsyncClient) -> None:
    project_id = await new_project(client)
    job_ids = await project_jobs(client, project_id, 2)
    refused = await client.delete(f"/api/projects/{project_id}")
    assert refused.status_code == 409
    assert sorted(refused.json()["active_jobs"]) == sorted(job_ids)
    assert (await client.get(f"/api/projects/{project_id}")).status_code == 200


async def test_cancel_jobs_cancels_the_active_jobs_then_deletes(
    client: httpx.AsyncClient, redis: Redis
) -> None:
    project_id = await new_project(client)
    job_ids = await project_jobs(client, project_id, 2)
    deleted = await client.delete(f"/api/projects/{project_id}", params={"cancel_jobs": "true"})
    assert deleted.status_code == 200, deleted.text
    assert sorted(deleted.json()["cancelled_jobs"]) == sorted(job_ids)
    for job_id in job_ids:
        assert await redis.sismember(streams.CANCELLED_JOBS, job_id)
        assert (await job(client, job_id))["status"] == "cancelled"
    logged = await read_all(redis, streams.EVENTS)
    assert [e.type for e in logged][-3:] == ["JobCancelled", "JobCancelled", "ProjectDeleted"]
    assert by_type(logged, "ProjectDeleted")[0].project_id == project_id
    assert (await client.get(f"/api/projects/{project_id}")).status_code == 404


async def logs(client: httpx.AsyncClient, job_id: str, **params: Any) -> list[tuple[str, str]]:
    response = await client.get(f"/api/jobs/{job_id}/logs", params=params)
    assert response.status_code == 200, response.text
    return [(e["level"], e["stage"]) for e in response.json()]


async def test_log_entries_carry_a_level_and_filter_by_level_and_stage(
    client: httpx.AsyncClient, redis: Redis
) -> None:
    _, job_id = await finished_job(client, redis)
    assert await logs(client, job_id) == [("error", "spider"), ("error", "factory")]
    assert await logs(client, job_id, level="error", stage="factory") == [("error", "factory")]
    everything = await logs(client, job_id, level="info")
    assert ("info", "inspector") in everything and len(everything) == 7
    assert await logs(client, job_id, level="info", stage="refiner") == [("info", "refiner")]
    bad = await client.get(f"/api/jobs/{job_id}/logs", params={"level": "debug"})
    assert bad.status_code == 422
