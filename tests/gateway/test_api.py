"""The gateway API over ASGI with its real lifespan: Redis, SQLite and the projector running."""

from __future__ import annotations

import asyncio
import itertools
import json
from typing import Any

import httpx
import pytest
from redis.asyncio import Redis

from shared.contract import streams
from shared.contract.events import ExportWritten
from shared.contract.ids import derive
from shared.contract.jobconfig import JobConfigs
from shared.runtime import costs
from shared.settings import Settings
from tests.gateway.conftest import publish_log
from tests.gateway.story import URLS, Story, at
from tests.helpers import by_type, read_all, wait_for


async def new_project(client: httpx.AsyncClient, name: str = "Docs") -> str:
    response = await client.post("/api/projects", json={"name": name, "description": "d"})
    assert response.status_code == 201
    return str(response.json()["id"])


async def submit(client: httpx.AsyncClient, body: dict[str, Any]) -> dict[str, Any]:
    project_id = await new_project(client)
    response = await client.post(f"/api/projects/{project_id}/jobs", json=body)
    assert response.status_code == 202, response.text
    return dict(response.json())


async def job(client: httpx.AsyncClient, job_id: str) -> dict[str, Any]:
    response = await client.get(f"/api/jobs/{job_id}")
    assert response.status_code == 200, response.text
    return dict(response.json())


def stage_events(story: Story) -> list[tuple[str, Any]]:
    """What the stages would write for a job the gateway submitted (project, job, fetches)."""
    return story.log()[4:]


async def test_health_reports_redis_and_the_database(client: httpx.AsyncClient) -> None:
    response = await client.get("/health")
    assert response.status_code == 200
    assert response.json()["redis"] is True and response.json()["database"] is True


async def test_a_created_project_can_be_read_back(client: httpx.AsyncClient) -> None:
    project_id = await new_project(client, "Handbook")
    found = (await client.get(f"/api/projects/{project_id}")).json()
    assert (found["name"], found["description"], found["job_count"]) == ("Handbook", "d", 0)
    assert [p["id"] for p in (await client.get("/api/projects")).json()] == [project_id]


async def test_submitting_a_job_publishes_one_fetch_per_url_atomically(
    client: httpx.AsyncClient, redis: Redis
) -> None:
    urls = ["https://Example.com/a#intro", "ftp://example.com/f", "https://example.com/a", " "]
    accepted = await submit(client, {"urls": [*urls, "http://example.com/b"]})
    job_id = accepted["job_id"]
    assert accepted["accepted"] == ["https://example.com/a", "http://example.com/b"]
    assert [r["url"] for r in accepted["rejected"]] == ["ftp://example.com/f", " "]
    fetches = await read_all(redis, streams.SPIDER)
    assert [f.event_id for f in fetches] == [
        derive(job_id, "fetch", u) for u in accepted["accepted"]
    ]
    assert {f.caused_by for f in fetches} == {derive(job_id, "submitted")}
    assert await redis.hget(streams.tally_key(job_id), "outstanding") == b"2"
    logged = await read_all(redis, streams.EVENTS)
    invalid = by_type(logged, "ItemFailed")
    assert [(e.stage, e.reason, e.url) for e in invalid] == [
        ("gateway", "invalid_url", "ftp://example.com/f"),
        ("gateway", "invalid_url", " "),
    ]
    status = await job(client, job_id)
    assert (status["status"], status["url_count"], status["invalid_urls"]) == ("pending", 2, 2)


async def test_a_partial_config_is_merged_over_the_defaults(
    client: httpx.AsyncClient, redis: Redis
) -> None:
    config = {"generation": {"template": "summarization"}, "export": {"format": "csv"}}
    accepted = await submit(client, {"urls": ["https://example.com/"], "config": config})
    effective = accepted["config"]
    assert effective["generation"]["template"] == "summarization"
    assert effective["generation"]["examples_per_chunk"] == 3
    assert (effective["export"]["format"], effective["processing"]["chunk_size"]) == ("csv", 512)
    (fetch,) = await read_all(redis, streams.SPIDER)
    stored = await JobConfigs(redis).get(fetch.job_id)  # work items carry only the job id
    assert stored.model_dump(mode="json") == effective


async def test_a_minimal_body_uses_every_default(client: httpx.AsyncClient) -> None:
    accepted = await submit(client, {"urls": ["https://example.com/"]})
    assert accepted["config"]["quality"]["min_score"] == 0.7


@pytest.mark.parametrize("urls", [[], ["mailto:someone@example.com", "example.com/no-scheme"]])
async def test_a_job_without_a_valid_url_is_refused(
    client: httpx.AsyncClient, redis: Redis, urls: list[str]
) -> None:
    project_id = await new_project(client)
    response = await client.post(f"/api/projects/{project_id}/jobs", json={"urls": urls})
    assert response.status_code == 422
    assert len(response.json()["rejected"]) == len(urls)
    assert await redis.xlen(streams.SPIDER) == 0


async def test_unknown_ids_are_404(client: httpx.AsyncClient) -> None:
    body = {"urls": ["https://example.com/"]}
    assert (await client.post("/api/projects/proj_nope/jobs", json=body)).status_code == 404
    assert (await client.get("/api/jobs/job_nope")).status_code == 404
    assert (await client.get("/api/exports/export_nope/download")).status_code == 404


async def test_job_status_follows_the_outcomes_the_stages_publish(
    client: httpx.AsyncClient, redis: Redis
) -> None:
    job_id = (await submit(client, {"urls": URLS}))["job_id"]
    story = Story(job_id)
    await publish_log(redis, stage_events(story)[:3])  # a page fetched, a fetch failed
    # The page and the failure are on different streams: both projected, the spider is settled.
    status = await wait_for(
        lambda: job(client, job_id), lambda s: s["stages"]["spider"]["settled"] == 2
    )
    assert (status["status"], status["stage"]) == ("running", "refiner")
    assert status["stages"]["spider"] == {
        "total": 2,
        "fetched": 1,
        "failed": 1,
        "skipped": 0,
        "settled": 2,
    }
    await publish_log(redis, stage_events(story)[3:])
    done = await wait_for(lambda: job(client, job_id), lambda s: s["stage"] == "done")
    assert (done["status"], done["finished"], done["cost_usd"], done["tokens"]) == (
        "completed",
        True,
        0.0027,
        200,
    )
    inspector = done["stages"]["inspector"]
    assert (inspector["total"], inspector["passed"], inspector["rejected"]) == (2, 1, 1)
    assert done["exports"][0]["path"] == story.export.key
    logs = (await client.get(f"/api/jobs/{job_id}/logs")).json()
    assert [(e["stage"], e["reason"]) for e in logs] == [
        ("spider", "http_404"),
        ("factory", "llm_invalid_json"),
    ]
    listed = (await client.get(f"/api/projects/{done['project_id']}/jobs")).json()
    assert [j["id"] for j in listed] == [job_id]
    overview = (await client.get("/api/stats/overview")).json()
    assert (overview["jobs"], overview["active_jobs"], overview["examples_passed"]) == (1, 0, 1)


async def test_exports_are_downloadable_with_their_card(
    client: httpx.AsyncClient, redis: Redis, settings: Settings
) -> None:
    job_id = (await submit(client, {"urls": URLS}))["job_id"]
    folder = settings.data_dir / "exports" / job_id / "v1"
    folder.mkdir(parents=True)
    dataset, card = folder / "dataset.jsonl", folder / "README.md"
    dataset.write_text('{"input": "q", "output": "a"}\n')
    card.write_text("# Dataset card\n")
    written = ExportWritten(
        event_id="export_1",
        job_id=job_id,
        export_id="export_1",
        format="jsonl",
        key=f"exports/{job_id}/v1/dataset.jsonl",
        card_key=f"exports/{job_id}/v1/README.md",
        record_count=1,
        rejected_count=0,
        version="v1",
        at=at(9),
    )
    await publish_log(redis, [(streams.EVENTS, written)])
    exports = await wait_for(
        lambda: client.get(f"/api/jobs/{job_id}/exports"), lambda r: bool(r.json())
    )
    assert exports.json()[0]["download_url"] == "/api/exports/export_1/download"
    download = await client.get("/api/exports/export_1/download")
    assert download.text == dataset.read_text()
    assert f"{job_id}-v1.jsonl" in download.headers["content-disposition"]
    card_response = await client.get("/api/exports/export_1/card")
    assert card_response.text == "# Dataset card\n"
    assert card_response.headers["content-type"].startswith("text/markdown")


async def test_the_stream_sends_each_new_status_and_ends_with_completion(
    client: httpx.AsyncClient, redis: Redis
) -> None:
    job_id = (await submit(client, {"urls": URLS}))["job_id"]
    await job(client, job_id)  # projected
    reading = asyncio.create_task(client.get(f"/api/jobs/{job_id}/stream", timeout=20))
    for entry in stage_events(Story(job_id)):
        await publish_log(redis, [entry])
    response = await asyncio.wait_for(reading, 20)
    assert response.headers["content-type"].startswith("text/event-stream")
    statuses = [
        json.loads(line.removeprefix("data: "))
        for line in response.text.splitlines()
        if line.startswith("data: ")
    ]
    assert statuses[-1]["status"] == "completed" and statuses[-1]["finished"]
    assert statuses[0]["status"] in ("pending", "running")
    assert all(a != b for a, b in itertools.pairwise(statuses))


async def test_cancelling_marks_the_job_for_the_stages_and_in_its_status(
    client: httpx.AsyncClient, redis: Redis
) -> None:
    job_id = (await submit(client, {"urls": URLS}))["job_id"]
    response = await client.post(f"/api/jobs/{job_id}/cancel")
    assert response.status_code == 202
    assert await redis.sismember(streams.CANCELLED_JOBS, job_id)
    assert by_type(await read_all(redis, streams.EVENTS), "JobCancelled")[0].job_id == job_id
    status = await wait_for(lambda: job(client, job_id), lambda s: s["status"] == "cancelled")
    assert status["cancelled_at"] is not None and not status["finished"]


async def test_a_completed_job_cannot_be_cancelled(client: httpx.AsyncClient, redis: Redis) -> None:
    job_id = (await submit(client, {"urls": URLS}))["job_id"]
    await publish_log(redis, stage_events(Story(job_id)))
    await wait_for(lambda: job(client, job_id), lambda s: s["finished"])
    assert (await client.post(f"/api/jobs/{job_id}/cancel")).status_code == 409


async def test_a_job_shows_live_llm_counters_and_a_cost_estimate(
    client: httpx.AsyncClient, redis: Redis
) -> None:
    accepted = await submit(client, {"urls": ["https://example.com/a"]})
    job_id = accepted["job_id"]
    await redis.hset(
        f"df:factory:{job_id}",
        mapping={"calls": 7, "retries": 2, "cache_hits": 1, "spent_usd": "0.0125"},
    )
    detail = await job(client, job_id)
    assert detail["llm"]["calls"] == 7 and detail["llm"]["retries"] == 2
    assert detail["llm"]["cache_hits"] == 1 and detail["llm"]["spent_usd"] == 0.0125
    assert detail["estimate"]["chunks"] == 0 and detail["estimate"]["model"] == "gpt-4o-mini"


async def test_a_batch_mode_job_shows_what_it_saved_against_online_prices(
    client: httpx.AsyncClient, redis: Redis
) -> None:
    body = {"urls": URLS, "config": {"generation": {"mode": "batch"}}}
    job_id = (await submit(client, body))["job_id"]
    await publish_log(redis, stage_events(Story(job_id)))
    done = await wait_for(lambda: job(client, job_id), lambda s: s["stage"] == "done")
    online = costs.cost_usd("gpt-4o-mini", done["prompt_tokens"], done["completion_tokens"])
    assert online is not None
    assert done["batch_saving"] == pytest.approx(
        {"online_usd": online, "paid_usd": done["cost_usd"], "saved_usd": online - done["cost_usd"]}
    )
    online_job = await job(client, (await submit(client, {"urls": URLS}))["job_id"])
    assert online_job["batch_saving"] is None, "an online job has nothing to compare"
