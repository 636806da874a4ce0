"""Export files are served from blob storage's exports only, whatever an ExportWritten says."""

from __future__ import annotations

import httpx
from redis.asyncio import Redis

from shared.contract import streams
from shared.settings import Settings
from tests.gateway.story import Story
from tests.helpers import publish, wait_for


async def test_an_export_whose_keys_leave_the_exports_is_not_served(
    redis: Redis, client: httpx.AsyncClient, settings: Settings
) -> None:
    story = Story()
    inside = settings.data_dir / "exports" / story.job_id / "v1"
    inside.mkdir(parents=True)
    (inside / "dataset.jsonl").write_text('{"id": 1}\n')
    (inside / "README.md").write_text("# card\n")
    await publish(redis, streams.EVENTS, story.project, story.submitted)
    key = f"exports/{story.job_id}/v1"
    old = str(settings.data_dir / "exports" / story.job_id / "v1")  # a path, as events once held
    for name, data, card in (
        ("passwd", "/etc/passwd", "/etc/hostname"),
        ("dotdot", f"{key}/../../../datafactory.db", f"{key}/x"),
        ("fine", f"{key}/dataset.jsonl", f"{key}/README.md"),
        ("old", f"{old}/dataset.jsonl", f"{old}/README.md"),
    ):
        export = story.export.model_copy(
            update={"event_id": name, "export_id": name, "key": data, "card_key": card}
        )
        await publish(redis, streams.EVENTS, export)
    found = await wait_for(
        lambda: client.get(f"/api/jobs/{story.job_id}/exports"), lambda r: len(r.json()) == 4
    )
    assert found.status_code == 200
    for name in ("passwd", "dotdot"):
        for route in ("download", "card"):
            reply = await client.get(f"/api/exports/{name}/{route}")
            assert reply.status_code == 404, (name, route, reply.text)
    for name in ("fine", "old"):
        download = await client.get(f"/api/exports/{name}/download")
        assert download.text == '{"id": 1}\n'
        assert download.headers["content-disposition"].startswith("attachment; filename=")
        assert (await client.get(f"/api/exports/{name}/card")).text == "# card\n"
