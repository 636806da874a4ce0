"""The example routes over ASGI with the gateway's real lifespan: paging and filters, reviews
as events on the log, their projection, a rebuild, and bad review bodies refused."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from redis.asyncio import Redis

from services.gateway.commands.bodies import MAX_EDIT_CHARS
from services.gateway.queries.example_models import ExampleFilters
from services.gateway.queries.examples import examples_page
from services.gateway.readmodel.db import reader_engine, sqlite_url_for
from services.gateway.readmodel.rebuild import replay
from shared.contract import streams
from shared.contract.events import ExampleReviewed
from shared.settings import Settings
from tests.gateway.conftest import publish_log
from tests.gateway.story import Story
from tests.helpers import read_all
from tests.review.log import job_log, many

N = 60


@pytest.fixture
async def job(served: tuple[FastAPI, httpx.AsyncClient], redis: Redis) -> Story:
    story = Story()
    await publish_log(redis, job_log(story, many(story, N)))
    assert await served[0].state.gateway.projector.caught_up(10)
    return story


async def examples(client: httpx.AsyncClient, job_id: str, **params: Any) -> dict[str, Any]:
    response = await client.get(f"/api/jobs/{job_id}/examples", params=params)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def review(client: httpx.AsyncClient, example_id: str, **body: Any) -> httpx.Response:
    return await client.post(f"/api/examples/{example_id}/review", json=body)


async def reviews_on_the_log(redis: Redis) -> list[ExampleReviewed]:
    return [e for e in await read_all(redis, streams.EVENTS) if isinstance(e, ExampleReviewed)]


async def test_the_api_pages_and_filters_as_the_results_page_does(
    client: httpx.AsyncClient, job: Story
) -> None:
    first = await examples(client, job.job_id)
    assert (first["total"], first["pages"], first["page_size"]) == (N + 2, 2, 50)
    second = await examples(client, job.job_id, page=2)
    ids = [e["id"] for e in first["examples"] + second["examples"]]
    assert ids == sorted(ids) and len(set(ids)) == N + 2
    found = await examples(client, job.job_id, verdict="rejected", check="toxicity", url="guide")
    assert [e["id"] for e in found["examples"]] == ["ex_00007", "ex_00021", "ex_00035", "ex_00049"]
    assert found["examples"][0]["failing"] == ["toxicity"]
    assert found["examples"][0]["reasons"] == ["toxic(p=0.80)"]
    for bad in ({"min_score": 2}, {"check": "vibes"}, {"page": 0}, {"verdict": "maybe"}):
        response = await client.get(f"/api/jobs/{job.job_id}/examples", params=bad)
        assert response.status_code == 422, bad
    assert (await client.get("/api/jobs/job_nope/examples")).status_code == 404


async def test_each_review_is_an_event_the_read_model_shows_and_a_rebuild_keeps(
    client: httpx.AsyncClient, job: Story, redis: Redis, settings: Settings, tmp_path: Path
) -> None:
    approved = await review(client, "ex_00007", action="approve", note="fine by me")
    rejected = await review(client, "ex_00008", action="reject")
    edited = await review(client, "ex_00004", action="edit", output="Edited.")
    for response in (approved, rejected, edited):
        assert response.status_code == 202, response.text
    shown = {r.json()["example"]["id"]: r.json()["example"] for r in (approved, rejected, edited)}
    assert shown["ex_00007"]["verdict"] == "passed" and shown["ex_00007"]["passed_qc"] is False
    assert shown["ex_00007"]["review"]["note"] == "fine by me"
    assert shown["ex_00008"]["verdict"] == "rejected" and shown["ex_00008"]["passed_qc"] is True
    assert (shown["ex_00004"]["output"], shown["ex_00004"]["original_output"]) == (
        "Edited.",
        "Answer 4.",
    )
    logged = await reviews_on_the_log(redis)
    assert [(e.example_id, e.action) for e in logged] == [
        ("ex_00007", "approve"),
        ("ex_00008", "reject"),
        ("ex_00004", "edit"),
    ]
    assert [e.event_id for e in logged] == [
        r.json()["event_id"] for r in (approved, rejected, edited)
    ]
    reviewed = await examples(client, job.job_id, reviewed=True)
    assert [e["id"] for e in reviewed["examples"]] == ["ex_00004", "ex_00007", "ex_00008"]
    rebuilt = tmp_path / "rebuilt.db"
    await replay(settings.redis_dsn, rebuilt)
    engine = reader_engine(sqlite_url_for(rebuilt))
    try:
        again = await examples_page(engine, job.job_id, ExampleFilters(reviewed=True))
    finally:
        await engine.dispose()
    assert again.model_dump(mode="json") == reviewed


async def test_a_repeated_request_is_one_review_and_a_later_review_wins(
    client: httpx.AsyncClient, job: Story, redis: Redis
) -> None:
    first = await review(client, "ex_00003", action="reject", request_id="r-1")
    again = await review(client, "ex_00003", action="reject", request_id="r-1")
    assert first.json()["event_id"] == again.json()["event_id"]
    assert first.json()["example"]["review"] == again.json()["example"]["review"]
    other = await review(client, "ex_00003", action="approve", request_id="r-1")
    assert other.status_code == 409
    later = await review(client, "ex_00003", action="approve")
    assert later.json()["example"]["verdict"] == "passed"
    reviewed = await examples(client, job.job_id, reviewed=True)
    assert reviewed["examples"][0]["review"]["action"] == "approve"
    assert len({e.event_id for e in await reviews_on_the_log(redis)}) == 2


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"action": "edit"}, "an edit needs a new input or output"),
        ({"action": "edit", "output": "  \n"}, "must not be empty"),
        ({"action": "edit", "input": "x" * (MAX_EDIT_CHARS + 1)}, "at most 20000 characters"),
        ({"action": "approve", "output": "x"}, "approve keeps the text"),
        ({"action": "promote"}, "'approve', 'reject' or 'edit'"),
        ({"action": "reject", "score": 1}, "Extra inputs are not permitted"),
        ({"action": "reject", "note": "n" * 2001}, "at most 2000 characters"),
        ({"action": "edit", "output": "\ud800"}, "a valid string"),  # JSON, not text
    ],
)
async def test_a_bad_review_is_refused_with_its_reason_and_logs_nothing(
    client: httpx.AsyncClient, job: Story, redis: Redis, body: dict[str, Any], reason: str
) -> None:
    # As JSON text: a lone surrogate is valid JSON, though not valid text.
    content, headers = json.dumps(body), {"content-type": "application/json"}
    response = await client.post("/api/examples/ex_00001/review", content=content, headers=headers)
    assert response.status_code == 422
    assert reason in response.text
    assert await reviews_on_the_log(redis) == []


async def test_an_unknown_example_is_404_to_read_and_to_review(
    client: httpx.AsyncClient, job: Story, redis: Redis
) -> None:
    response = await review(client, "ex_unknown", action="approve")
    assert response.status_code == 404
    assert "example ex_unknown not found" in response.text
    assert await reviews_on_the_log(redis) == []
    assert (await client.get("/api/examples/ex_unknown")).status_code == 404
    found = (await client.get("/api/examples/ex_00007")).json()
    assert (found["job_id"], found["verdict"], found["failing"]) == (
        "job_a",
        "rejected",
        ["toxicity"],
    )


async def test_the_schema_names_the_example_bodies(client: httpx.AsyncClient) -> None:
    schemas = (await client.get("/openapi.json")).json()["components"]["schemas"]
    assert {"ExamplePage", "ExampleOut", "Review", "ReviewRequest", "ReviewAccepted"} <= set(
        schemas
    )
    assert "pages" in schemas["ExamplePage"]["properties"]
