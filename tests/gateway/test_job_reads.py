"""A job's status served from memory is exactly what the read models hold: it follows every
batch the projector applies to the job, a project's rename and a projection failure."""

from __future__ import annotations

import httpx
from redis.asyncio import Redis

from shared.contract import streams, wire
from tests.gateway.test_api import job
from tests.gateway.test_project_routes import finished_job
from tests.helpers import wait_for


async def test_a_finished_jobs_status_follows_its_projects_rename(
    client: httpx.AsyncClient, redis: Redis
) -> None:
    project_id, job_id = await finished_job(client, redis)
    assert (await job(client, job_id))["project_name"] != "Renamed"
    renamed = await client.put(f"/api/projects/{project_id}", json={"name": "Renamed"})
    assert renamed.status_code == 200, renamed.text
    assert (await job(client, job_id))["project_name"] == "Renamed"


async def test_a_finished_jobs_status_follows_a_projection_failure_of_its_events(
    client: httpx.AsyncClient, redis: Redis
) -> None:
    _, job_id = await finished_job(client, redis)
    before = await job(client, job_id)
    # An entry that names the job but cannot be read: recorded as the job's unapplied event.
    broken = b'{"type": "ExampleScored", "job_id": "' + job_id.encode() + b'"}'
    await redis.xadd(streams.EVENTS, {wire.DATA_FIELD: broken})
    after = await wait_for(lambda: job(client, job_id), lambda s: s != before, timeout=10)
    assert after["projection_failures"] == before["projection_failures"] + 1
