"""POST /api/jobs/{id}/exports: a finished job's export in another format, asked once."""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from redis.asyncio import Redis

from shared.contract import streams
from shared.contract.events import ExportJob
from tests.gateway.conftest import publish_log
from tests.helpers import read_all, wait_for
from tests.shipper.joblog import job_log

Served = tuple[FastAPI, httpx.AsyncClient]


async def finished_job(redis: Redis, http: httpx.AsyncClient) -> str:
    log = job_log(pages=3)
    await publish_log(redis, [*log.entries, (streams.SHIPPER, log.completed)])

    async def status() -> object:
        return (await http.get(f"/api/jobs/{log.job_id}")).json().get("finished")

    await wait_for(status, bool, timeout=10)
    return log.job_id


async def requests_on_log(redis: Redis) -> list[ExportJob]:
    return [e for e in await read_all(redis, streams.SHIPPER) if isinstance(e, ExportJob)]


async def test_a_finished_job_gets_its_export_asked_for_once_per_request_id(
    served: Served, redis: Redis
) -> None:
    _, http = served
    job = await finished_job(redis, http)
    body = {"format": "parquet", "splits": {"train": 0.8, "test": 0.2}, "request_id": "r1"}
    first = await http.post(f"/api/jobs/{job}/exports", json=body)
    again = await http.post(f"/api/jobs/{job}/exports", json=body)
    assert first.status_code == again.status_code == 202, first.text
    assert first.json() == again.json()
    assert first.json()["format"] == "parquet" and first.json()["export_id"].startswith("export_")
    published = await requests_on_log(redis)
    assert len(published) == 2 and published[0] == published[1], "a repeat is the same request"
    assert published[0].export.splits == {"train": 0.8, "test": 0.2}


async def test_a_request_id_cannot_be_reused_for_another_export(
    served: Served, redis: Redis
) -> None:
    _, http = served
    job = await finished_job(redis, http)
    url = f"/api/jobs/{job}/exports"
    first = await http.post(url, json={"format": "csv", "request_id": "r2"})
    assert first.status_code == 202, first.text
    reused = await http.post(url, json={"format": "json", "request_id": "r2"})
    assert reused.status_code == 409


async def test_bad_export_requests_get_clear_errors(served: Served, redis: Redis) -> None:
    _, http = served
    job = await finished_job(redis, http)
    unknown = await http.post(f"/api/jobs/{job}/exports", json={"format": "xml"})
    assert unknown.status_code == 422 and "jsonl" in unknown.text
    bad_split = await http.post(f"/api/jobs/{job}/exports", json={"splits": {"train": 0.5}})
    assert bad_split.status_code == 422 and "add up to 1" in bad_split.text
    missing = await http.post("/api/jobs/job_nope/exports", json={"format": "csv"})
    assert missing.status_code == 404
    project = (await http.post("/api/projects", json={"name": "p"})).json()
    running = await http.post(
        f"/api/projects/{project['id']}/jobs", json={"urls": ["https://a.example/"]}
    )
    busy = await http.post(f"/api/jobs/{running.json()['job_id']}/exports", json={})
    assert busy.status_code == 409 and "once finished" in busy.text
    assert await requests_on_log(redis) == []
