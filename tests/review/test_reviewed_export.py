"""Reviews through the gateway's API, then an export by the real shipper on the same Redis:
the export honours them, whichever format, and a review delivered twice changes nothing."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import httpx
from redis.asyncio import Redis

from services.shipper.app import create_app
from shared.contract import streams
from shared.contract.events import ExampleReviewed
from shared.settings import Settings
from tests.helpers import configure, publish, read_all, running, wait_for
from tests.shipper.joblog import JobLog, job_log

EDITED = "An answer a reviewer wrote."


async def logged(redis: Redis, log: JobLog) -> None:
    await configure(redis, log.job_id, config=log.config)
    for stream, event in log.entries:
        await publish(redis, stream, event)
    await publish(redis, streams.SHIPPER, log.completed)


async def exports(client: httpx.AsyncClient, job_id: str, n: int) -> list[dict[str, Any]]:
    async def listed() -> list[dict[str, Any]]:
        return list((await client.get(f"/api/jobs/{job_id}/exports")).json())

    return await wait_for(listed, lambda found: len(found) >= n, timeout=30)


async def ids(client: httpx.AsyncClient, job_id: str, verdict: str) -> list[str]:
    params = {"verdict": verdict}
    page = (await client.get(f"/api/jobs/{job_id}/examples", params=params)).json()
    return [e["id"] for e in page["examples"]]


async def download(client: httpx.AsyncClient, export: dict[str, Any]) -> str:
    response = await client.get(export["download_url"])
    assert response.status_code == 200, response.text
    return response.text


def jsonl(text: str) -> dict[str, dict[str, Any]]:
    records = [json.loads(line) for line in text.splitlines()]
    return {r["id"]: r for r in records}


async def review(client: httpx.AsyncClient, example_id: str, **body: str) -> None:
    response = await client.post(f"/api/examples/{example_id}/review", json=body)
    assert response.status_code == 202, response.text


async def export_again(client: httpx.AsyncClient, job_id: str, fmt: str) -> None:
    response = await client.post(f"/api/jobs/{job_id}/exports", json={"format": fmt})
    assert response.status_code == 202, response.text


async def test_the_next_export_honours_approvals_rejections_and_edits(
    settings: Settings, redis: Redis, client: httpx.AsyncClient
) -> None:
    log = job_log()
    await logged(redis, log)
    async with running(create_app(settings)):
        (before,) = await exports(client, log.job_id, 1)
        shipped = jsonl(await download(client, before))
        rejected, passed = (
            await ids(client, log.job_id, "rejected"),
            await ids(client, log.job_id, "passed"),
        )
        approve, reject, edit = rejected[0], passed[0], passed[1]
        assert approve not in shipped and {reject, edit} <= set(shipped)
        await review(client, approve, action="approve", note="reads fine")
        await review(client, reject, action="reject")
        await review(client, edit, action="edit", output=EDITED)
        # A redelivered review (the same event again, later on the log) changes nothing.
        (first, *_) = [
            e for e in await read_all(redis, streams.EVENTS) if isinstance(e, ExampleReviewed)
        ]
        await publish(redis, streams.EVENTS, first)
        for fmt in ("jsonl", "csv", "openai"):
            await export_again(client, log.job_id, fmt)
        written = await exports(client, log.job_id, 4)
    after = {e["format"]: e for e in written[1:]}
    records = jsonl(await download(client, after["jsonl"]))
    assert set(records) == set(shipped) - {reject} | {approve}
    assert records[approve]["metadata"]["review"] == {
        "action": "approve",
        "edited": False,
        "note": "reads fine",
    }
    assert "rejected_because" not in records[approve]["metadata"]
    assert records[edit]["output"] == EDITED and "fields" not in records[edit]
    assert records[edit]["input"] == shipped[edit]["input"]
    assert after["jsonl"]["record_count"] == before["record_count"]
    assert after["jsonl"]["rejected_count"] == before["rejected_count"]
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(await download(client, after["csv"])))}
    assert set(rows) == set(records) and rows[edit]["output"] == EDITED
    chats = [json.loads(line) for line in (await download(client, after["openai"])).splitlines()]
    assert len(chats) == len(records)
    assert EDITED in [c["messages"][-1]["content"] for c in chats]
