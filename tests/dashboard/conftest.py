"""Dashboard fixtures: NiceGUI's simulated `user` on the gateway app with its real lifespan
(Redis, SQLite, the projector), and the seeded log projected before a test looks."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import httpx
import pytest
from nicegui import core, ui
from nicegui.functions.download import download
from nicegui.functions.navigate import Navigate
from nicegui.functions.notify import notify
from nicegui.testing.general import nicegui_reset_globals
from nicegui.testing.user import User

from services.gateway.app import create_app
from services.gateway.container import Gateway
from services.gateway.queries import views
from shared.settings import Settings
from tests.dashboard.seed import seed
from tests.helpers import wait_for


@pytest.fixture
async def dashboard(settings: Settings) -> AsyncIterator[tuple[User, Gateway]]:
    """A simulated browser user on a fresh gateway app, as NiceGUI's `user` fixture does it,
    but with the gateway's own app and lifespan instead of a main file."""
    with nicegui_reset_globals():
        os.environ["NICEGUI_USER_SIMULATION"] = "true"
        try:
            app = create_app(settings)
            async with app.router.lifespan_context(app):
                transport = httpx.ASGITransport(core.app)
                async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
                    yield User(http), app.state.gateway
        finally:
            os.environ.pop("NICEGUI_USER_SIMULATION", None)
            ui.navigate, ui.notify, ui.download = Navigate(), notify, download


@pytest.fixture
async def seeded(dashboard: tuple[User, Gateway], settings: Settings) -> dict[str, str]:
    """The seeded jobs, projected: the finished one exported, the active one part way."""
    gw = dashboard[1]
    ids = await seed(gw.redis, settings.data_dir)
    await wait_for(
        lambda: views.job_status(gw.reader, ids["done"]), lambda j: bool(j and j.exports)
    )
    await wait_for(
        lambda: views.job_status(gw.reader, ids["active"]),
        lambda j: j is not None and j.stages.inspector.settled == 24,
    )
    return ids


@pytest.fixture
def user(dashboard: tuple[User, Gateway]) -> User:
    return dashboard[0]


@pytest.fixture
def gateway(dashboard: tuple[User, Gateway]) -> Gateway:
    return dashboard[1]
