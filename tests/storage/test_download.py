"""An export in S3 is downloaded through the gateway: streamed, or by a redirect to a URL the
store signed."""

from __future__ import annotations

import httpx
import pytest
from redis.asyncio import Redis

from services.gateway.app import create_app
from shared.contract import streams
from shared.settings import Settings
from shared.storage.blobs import Storage
from tests.gateway.story import Story
from tests.helpers import publish, wait_for
from tests.storage.s3 import on_s3

DATA = b'{"input": "q", "output": "a"}\n' * 1000


@pytest.mark.parametrize("presign_s", [0, 60])
async def test_an_export_in_s3_is_streamed_or_signed(
    settings: Settings, s3_endpoint: str, presign_s: int
) -> None:
    settings = on_s3(settings.model_copy(update={"storage_presign_s": presign_s}), s3_endpoint)
    story = Story()
    folder = f"exports/{story.job_id}/v1"
    storage = Storage.from_settings(settings)
    await storage.put_async(f"{folder}/dataset.jsonl", DATA)
    await storage.put_async(f"{folder}/README.md", b"# card\n")
    written = story.export.model_copy(
        update={"key": f"{folder}/dataset.jsonl", "card_key": f"{folder}/README.md"}
    )
    redis = Redis.from_url(settings.redis_dsn)
    await publish(redis, streams.EVENTS, story.project, story.submitted, written)
    app = create_app(settings, dashboard=False)
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://localhost") as client,
        httpx.AsyncClient() as outside,
    ):
        await wait_for(lambda: client.get(f"/api/jobs/{story.job_id}/exports"), lambda r: r.json())
        reply = await client.get(f"/api/exports/{written.export_id}/download")
        if presign_s:
            assert reply.status_code == 307
            assert reply.headers["location"].startswith(f"{s3_endpoint}/")
            reply = await outside.get(reply.headers["location"])
        assert reply.status_code == 200 and reply.content == DATA
        card = await client.get(f"/api/exports/{written.export_id}/card")
        assert card.text == "# card\n"
    await redis.aclose()
