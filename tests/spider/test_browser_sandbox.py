"""Chromium renders in its sandbox or not at all: where the sandbox cannot start (as root, as
these tests run), a page that needs a browser fails with a reason that names the setting,
instead of Chromium starting without its sandbox unless DATAFACTORY_CHROMIUM_NO_SANDBOX
says so."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from shared.contract.events import ItemFailed, PageFetched
from shared.settings import Settings
from tests.spider.hostile import Web
from tests.spider.test_spider import command, outcomes

HOST = "127.0.0.36"
# Chromium through the spider: each outcome gets up to 90 s.
pytestmark = [
    pytest.mark.skipif(os.geteuid() != 0, reason="the sandbox starts for other users"),
    pytest.mark.timeout(180),
]


@pytest.fixture(scope="module")
def web() -> Iterator[Web]:
    server = Web([HOST], {})
    yield server
    server.close()


async def test_a_page_fails_when_the_sandbox_cannot_start_and_none_was_waived(
    settings: Settings, web: Web
) -> None:
    strict = settings.model_copy(update={"chromium_no_sandbox": False})
    url = web.url(HOST, "/js")
    got = (await outcomes(strict, [command(url)], timeout=90))[url]
    assert isinstance(got, ItemFailed) and got.reason == "browser_error"
    assert "DATAFACTORY_CHROMIUM_NO_SANDBOX=1" in got.detail


async def test_the_sandbox_is_waived_only_on_purpose(settings: Settings, web: Web) -> None:
    assert Settings().chromium_no_sandbox, "the test setup waives it: tests run as root"
    waived = settings.model_copy(update={"chromium_no_sandbox": True})
    url = web.url(HOST, "/js")
    got = (await outcomes(waived, [command(url + "?w")], timeout=90))[url + "?w"]
    assert isinstance(got, PageFetched) and got.renderer == "browser"
