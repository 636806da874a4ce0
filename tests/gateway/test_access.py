"""Access to the gateway: known Host headers only; beyond loopback, a token for every route."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from services.cli.stack import gateway_client
from services.gateway.api.access import TokenRequired
from services.gateway.app import create_app
from services.gateway.session_cookie import COOKIE
from shared.settings import Settings
from tests.gateway.process import gateway_process

ROOT = Path(__file__).parents[2]
TOKEN = "s3cret-token-for-tests-0123456789"


def exposed(settings: Settings, **changes: object) -> Settings:
    update = {"gateway_host": "0.0.0.0", "api_token": SecretStr(TOKEN)} | changes
    return settings.model_copy(update=update)


@pytest.fixture
async def gateway(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(exposed(settings, allowed_hosts=["factory.example"]), dashboard=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as http:
            yield http


def test_an_exposed_gateway_without_a_token_refuses_to_be_built(settings: Settings) -> None:
    with pytest.raises(TokenRequired, match="DATAFACTORY_API_TOKEN"):
        create_app(exposed(settings, api_token=None), dashboard=False)
    with pytest.raises(TokenRequired):
        create_app(exposed(settings, api_token=SecretStr("  ")), dashboard=False)


def test_a_guessable_token_is_refused_wherever_the_gateway_binds(settings: Settings) -> None:
    for host in ("0.0.0.0", "127.0.0.1"):
        short = exposed(settings, gateway_host=host, api_token=SecretStr("change-me"))
        with pytest.raises(TokenRequired, match="shorter than 16"):
            create_app(short, dashboard=False)


def test_an_exposed_gateway_without_a_token_does_not_start(
    settings: Settings, tmp_path: Path
) -> None:
    env = {"DATAFACTORY_GATEWAY_HOST": "0.0.0.0", "DATAFACTORY_DATA_DIR": str(settings.data_dir)}
    done = subprocess.run(
        [sys.executable, "-m", "services.gateway"],
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), **env},
        cwd=tmp_path,  # no .env of the checkout
        capture_output=True,
        timeout=60,
        text=True,
    )
    assert done.returncode == 2
    assert "refusing to start" in done.stderr and "DATAFACTORY_API_TOKEN" in done.stderr


async def test_the_api_without_the_token_is_401(gateway: httpx.AsyncClient) -> None:
    response = await gateway.get("/api/projects")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    wrong = await gateway.get("/api/projects", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    posted = await gateway.post("/api/projects", json={"name": "x"})
    assert posted.status_code == 401


async def test_the_api_with_the_bearer_token_answers(gateway: httpx.AsyncClient) -> None:
    response = await gateway.get("/api/projects", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200 and response.json() == []


async def test_health_stays_open(gateway: httpx.AsyncClient) -> None:
    assert (await gateway.get("/health")).status_code == 200


async def test_a_foreign_host_header_is_400(gateway: httpx.AsyncClient) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    rebinding = await gateway.get("/api/projects", headers={**auth, "Host": "attacker.example"})
    assert rebinding.status_code == 400
    assert (await gateway.get("/health", headers={"Host": "attacker.example"})).status_code == 400
    configured = await gateway.get("/api/projects", headers={**auth, "Host": "factory.example"})
    assert configured.status_code == 200
    for loopback in ("127.0.0.1:8000", "localhost", "[::1]:8000"):
        assert (await gateway.get("/health", headers={"Host": loopback})).status_code == 200


async def test_a_foreign_host_is_refused_on_loopback_too(settings: Settings) -> None:
    app = create_app(settings, dashboard=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://rebound.example") as http:
        assert (await http.get("/api/templates")).status_code == 400


async def test_a_page_request_without_a_session_goes_to_the_login_form(
    gateway: httpx.AsyncClient,
) -> None:
    response = await gateway.get("/jobs/job_1", headers={"Accept": "text/html"})
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/jobs/job_1"
    docs = await gateway.get("/docs", headers={"Accept": "text/html"})
    assert docs.headers["location"] == "/login?next=/docs"
    api = await gateway.get("/api/projects", headers={"Accept": "text/html"})
    assert api.status_code == 401, "an API call is answered, not redirected"
    form = await gateway.get("/login", params={"next": "/jobs/job_1"})
    assert form.status_code == 200 and '<form method="post" action="/login">' in form.text
    assert 'value="/jobs/job_1"' in form.text


async def test_the_login_form_sets_an_http_only_session_cookie(gateway: httpx.AsyncClient) -> None:
    response = await gateway.post("/login", data={"token": TOKEN, "next": "/projects"})
    assert response.status_code == 303 and response.headers["location"] == "/projects"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=") and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert TOKEN not in cookie, "the cookie proves the token without holding it"
    # The client keeps the cookie: the API and the pages now answer.
    assert (await gateway.get("/api/projects")).status_code == 200
    await gateway.get("/logout")
    assert (await gateway.get("/api/projects")).status_code == 401


async def test_a_wrong_token_in_the_form_is_refused_with_a_message(
    gateway: httpx.AsyncClient,
) -> None:
    response = await gateway.post("/login", data={"token": "guess", "next": "/"})
    assert response.status_code == 401 and "not the gateway" in response.text
    assert "set-cookie" not in response.headers
    assert (await gateway.get("/api/projects")).status_code == 401


async def test_login_never_redirects_off_the_site(gateway: httpx.AsyncClient) -> None:
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        response = await gateway.post("/login", data={"token": TOKEN, "next": target})
        assert response.headers["location"] == "/"


async def test_the_login_form_escapes_what_it_echoes(gateway: httpx.AsyncClient) -> None:
    form = await gateway.get("/login", params={"next": '/"><script>alert(1)</script>'})
    assert "<script>" not in form.text and "&lt;script&gt;" in form.text


# A whole stack and the CLI: over 20 s locally.
@pytest.mark.timeout(180)
def test_the_cli_sends_the_token_to_a_gateway_that_asks_for_one(
    settings: Settings, tmp_path: Path
) -> None:
    with gateway_process(settings, tmp_path, DATAFACTORY_API_TOKEN=TOKEN) as (url, _):
        assert httpx.get(f"{url}/api/projects").status_code == 401
        cli = settings.model_copy(update={"api_token": SecretStr(TOKEN)})
        with gateway_client(cli, url) as client:
            assert client.get("/api/projects").status_code == 200
