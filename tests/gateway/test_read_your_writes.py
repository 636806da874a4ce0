"""After the API accepts a command, reading what it created never answers 404."""

from __future__ import annotations

import contextlib
import dataclasses
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.engine import make_url

from services.gateway.container import Gateway
from services.gateway.readmodel.tables import jobs, projects
from shared.settings import Settings

Served = tuple[FastAPI, httpx.AsyncClient]


@contextlib.contextmanager
def write_locked(path: Path) -> Iterator[None]:
    """Holds SQLite's write lock, as a long writer would: the projector cannot commit."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        conn.rollback()
        conn.close()


def impatient(app: FastAPI) -> Gateway:
    """The same gateway with waits short enough for a test to outlast them."""
    gw: Gateway = app.state.gateway
    app.state.gateway = dataclasses.replace(gw, catch_up_s=0.3, write_visible_s=0.3)
    return gw


async def post(http: httpx.AsyncClient, url: str, body: object, status: int) -> dict[str, object]:
    response = await http.post(url, json=body)
    assert response.status_code == status, response.text
    return dict(response.json())


async def test_each_accepted_write_is_in_the_read_models_when_the_route_answers(
    served: Served,
) -> None:
    app, http = served
    reader = app.state.gateway.reader
    project = await post(http, "/api/projects", {"name": "Docs"}, 201)
    async with reader.connect() as conn:  # projected before the 201, not merely findable
        assert (await conn.execute(select(projects.c.name))).scalar_one() == "Docs"
    job = await post(
        http, f"/api/projects/{project['id']}/jobs", {"urls": ["https://a.example/"]}, 202
    )
    async with reader.connect() as conn:
        assert (await conn.execute(select(jobs.c.id))).scalar_one() == job["job_id"]
    await post(http, f"/api/jobs/{job['job_id']}/cancel", None, 202)
    found = (await http.get(f"/api/jobs/{job['job_id']}")).json()
    assert found["status"] == "cancelled"
    listed = (await http.get(f"/api/projects/{project['id']}/jobs")).json()
    assert [j["id"] for j in listed] == [job["job_id"]]


async def test_writes_are_readable_while_the_projector_cannot_commit(
    served: Served, settings: Settings
) -> None:
    app, http = served
    impatient(app)
    with write_locked(Path(str(make_url(settings.sqlite_url).database))):
        started = time.monotonic()
        project = await post(http, "/api/projects", {"name": "Docs", "description": "d"}, 201)
        found = (await http.get(f"/api/projects/{project['id']}")).json()
        assert (found["name"], found["description"]) == ("Docs", "d")
        url = f"/api/projects/{project['id']}/jobs"
        job = await post(http, url, {"urls": ["https://a.example/", "https://b.example/"]}, 202)
        status = (await http.get(f"/api/jobs/{job['job_id']}")).json()
        assert (status["status"], status["url_count"], status["project_name"]) == (
            "pending",
            2,
            "Docs",
        )
        await post(http, f"/api/jobs/{job['job_id']}/cancel", None, 202)
        assert time.monotonic() - started < 5  # bounded waits, not the lock's busy timeout
    assert (await http.get("/api/jobs/job_nope")).status_code == 404
