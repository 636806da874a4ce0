"""The dashboard's login session: signed, expiring, ended on the server at log-out, marked
Secure behind a trusted TLS proxy; /metrics asks for its own token or the API's."""

from __future__ import annotations

from collections.abc import AsyncIterator
from ipaddress import ip_network
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr
from redis.asyncio import Redis

from services.gateway.api.sessions import Sessions
from services.gateway.app import create_app
from services.gateway.session_cookie import COOKIE
from shared.settings import Settings
from tests.gateway.process import gateway_process
from tests.helpers import wait_for

TOKEN = "s3cret-token-for-tests-0123456789"
SCRAPER = "metrics-token-for-prometheus-0123"


@pytest.fixture
async def gateway(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings.model_copy(update={"api_token": SecretStr(TOKEN)}), dashboard=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)  # the client's address is 127.0.0.1
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as http:
            yield http


async def signed_in(gateway: httpx.AsyncClient, **headers: str) -> httpx.Response:
    response = await gateway.post("/login", data={"token": TOKEN}, headers=headers)
    assert response.status_code == 303
    return response


async def test_a_copy_of_the_cookie_opens_nothing_after_log_out(
    gateway: httpx.AsyncClient,
) -> None:
    await signed_in(gateway)
    copied = gateway.cookies[COOKIE]
    assert (await gateway.get("/api/projects")).status_code == 200
    await gateway.get("/logout")
    gateway.cookies.set(COOKIE, copied)  # as a thief who copied it would
    assert (await gateway.get("/api/projects")).status_code == 401


async def test_a_forged_or_altered_cookie_is_refused(gateway: httpx.AsyncClient) -> None:
    await signed_in(gateway)
    session_id, expires, signature = gateway.cookies[COOKIE].split(".")
    for forged in (
        f"{session_id}.{int(expires) + 10**6}.{signature}",  # a longer life
        f"{session_id}.{expires}.{'0' * len(signature)}",
        "a session",
    ):
        gateway.cookies.set(COOKIE, forged)
        assert (await gateway.get("/api/projects")).status_code == 401, forged


async def test_a_session_expires_on_the_server(redis_url: str) -> None:
    redis = Redis.from_url(redis_url)
    sessions = Sessions(SecretStr(TOKEN), ttl_s=1)
    cookie = await sessions.open(redis)
    assert await sessions.valid(redis, cookie)
    await wait_for(lambda: sessions.valid(redis, cookie), lambda valid: not valid, timeout=5)
    other = Sessions(SecretStr(TOKEN + "-rotated"))
    assert not await other.valid(redis, await sessions.open(redis)), "a new token ends them"
    await redis.aclose()


async def test_the_cookie_is_secure_only_behind_a_trusted_tls_proxy(settings: Settings) -> None:
    https = {"X-Forwarded-Proto": "https"}
    for trusted, secure in (([], False), ([ip_network("127.0.0.0/8")], True)):
        exposed = settings.model_copy(
            update={"api_token": SecretStr(TOKEN), "trusted_proxies": trusted}
        )
        app = create_app(exposed, dashboard=False)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as http:
                cookie = (await signed_in(http, **https)).headers["set-cookie"]
                plain = (await signed_in(http)).headers["set-cookie"]
        assert ("Secure" in cookie) is secure, trusted
        assert "Secure" not in plain, "no header: plain HTTP"


async def test_metrics_need_the_api_token_when_one_is_set(gateway: httpx.AsyncClient) -> None:
    assert (await gateway.get("/metrics")).status_code == 401
    bearer = {"Authorization": f"Bearer {TOKEN}"}
    assert (await gateway.get("/metrics", headers=bearer)).status_code == 200


# A gateway process started and stopped: over 15 s locally.
@pytest.mark.timeout(120)
def test_a_metrics_token_opens_metrics_and_nothing_else(settings: Settings, tmp_path: Path) -> None:
    env = {"DATAFACTORY_API_TOKEN": TOKEN, "DATAFACTORY_METRICS_TOKEN": SCRAPER}
    with gateway_process(settings, tmp_path, **env) as (url, _):
        scraper = {"Authorization": f"Bearer {SCRAPER}"}
        assert httpx.get(f"{url}/metrics").status_code == 401
        assert httpx.get(f"{url}/metrics", headers=scraper).status_code == 200
        assert httpx.get(f"{url}/api/projects", headers=scraper).status_code == 401
        assert httpx.get(f"{url}/health").status_code == 200


# A gateway process started and stopped: over 15 s locally.
@pytest.mark.timeout(120)
def test_a_metrics_token_guards_metrics_on_a_gateway_without_an_api_token(
    settings: Settings, tmp_path: Path
) -> None:
    with gateway_process(settings, tmp_path, DATAFACTORY_METRICS_TOKEN=SCRAPER) as (url, _):
        assert httpx.get(f"{url}/metrics").status_code == 401
        scraper = {"Authorization": f"Bearer {SCRAPER}"}
        assert httpx.get(f"{url}/metrics", headers=scraper).status_code == 200
        assert httpx.get(f"{url}/api/projects").status_code == 200
