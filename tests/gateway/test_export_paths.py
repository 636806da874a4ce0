"""Export files are served from the data directory only, whatever an ExportWritten says."""

from __future__ import annotations

import httpx
from redis.asyncio import Redis

from shared import streams
from shared.settings import Settings
from tests.gateway.story import Story
from tests.helpers import publish, wait_for


async def test_an_export_whose_paths_leave_the_data_directory_is_not_served(
    redis: Redis, client: httpx.AsyncClient, settings: Settings
) -> None:
    story = Story()
    inside = settings.data_dir / "exports" / story.job_id / "v1"
    inside.mkdir(parents=True)
    (inside / "dataset.jsonl").write_text('{"id": 1}\n')
    await publish(redis, streams.EVENTS, story.project, story.submitted)
    for name, path, card in (
        ("passwd", "/etc/passwd", "/etc/hostname"),
        ("dotdot", str(inside / ".." / ".." / ".." / "datafactory.db"), str(inside / "x")),
        ("fine", str(inside / "dataset.jsonl"), str(inside / "README.md")),
    ):
        export = story.export.model_copy(
            update={"event_id": name, "export_id": name, "path": path, "card_path": card}
        )
        await publish(redis, streams.EVENTS, export)
    found = await wait_for(
        lambda: client.get(f"/api/jobs/{story.job_id}/exports"), lambda r: len(r.json()) == 3
    )
    assert found.status_code == 200
    for name in ("passwd", "dotdot"):
        for route in ("download", "card"):
            reply = await client.get(f"/api/exports/{name}/{route}")
            assert reply.status_code == 404, (name, route, reply.text)
    assert (await client.get("/api/exports/fine/download")).text == '{"id": 1}\n'
