"""The gateway while Redis is away: 503 with a reason, never a 500."""

from __future__ import annotations

import httpx

from services.gateway.app import create_app
from shared.runtime.redis_server import free_port
from shared.settings import Settings


async def test_the_gateway_answers_503_while_redis_is_unreachable(settings: Settings) -> None:
    away = settings.model_copy(update={"redis_url": f"redis://127.0.0.1:{free_port()}/0"})
    app = create_app(away, dashboard=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as http:
            health = await http.get("/health")
            job = await http.get("/api/jobs/job_unknown")
            created = await http.post("/api/projects", json={"name": "p"})
    assert health.status_code == 503 and health.json()["redis"] is False
    for reply in (job, created):
        assert reply.status_code == 503, reply.text
        assert "unavailable" in reply.json()["detail"]
    assert created.headers["retry-after"] == "2"
