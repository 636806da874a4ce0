"""The results page's logic through NiceGUI's simulated user: filters, paging, review clicks."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from nicegui import app, ui
from nicegui.elements.mixins.value_element import ValueElement
from nicegui.storage import Storage
from nicegui.testing import User
from nicegui.testing.user_simulation import user_simulation
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from services.gateway.container import Gateway
from services.gateway.dashboard.pages import results
from services.gateway.queries.examples import get_example
from services.gateway.readmodel.projector import Projector
from shared.contract import streams
from shared.contract.events import ExampleReviewed
from shared.settings import Settings
from tests.gateway.conftest import projecting, publish_log
from tests.gateway.story import Story
from tests.helpers import read_all, wait_for
from tests.review.log import job_log, many, section_scored

N = 60


@pytest.fixture
async def user(tmp_path: Path) -> AsyncIterator[User]:
    """NiceGUI's `user` fixture, with its storage kept in the test's own folder."""
    Storage.path = tmp_path / "nicegui"
    app.storage = Storage()
    async with user_simulation() as simulated:
        yield simulated


@pytest.fixture
async def job(
    user: User, settings: Settings, redis: Redis, writer: AsyncEngine, reader: AsyncEngine
) -> AsyncIterator[Story]:
    """A job of 62 examples, projected live, and the results page served over it."""
    story = Story()
    await publish_log(redis, job_log(story, many(story, N)))
    async with projecting(Projector(redis, writer, block_ms=50)) as projector:
        assert await projector.caught_up(10)
        app.state.gateway = Gateway(settings, redis, reader, projector)
        results.register(app)
        yield story


async def see(user: User, text: str) -> None:
    """Waits (up to 10 s) for the text: a filter's query and refresh run after its change."""
    await user.should_see(text, retries=100)


async def count_is(user: User, n: int, pages: int = 1, page: int = 1) -> None:
    """Waits for the count line to say exactly this (a substring could match "11" for "1")."""

    async def shown() -> str:
        (label,) = user.find("results-count").elements
        assert isinstance(label, ui.label)
        return str(label.text)

    expected = f"{n:,} examples match · page {page} of {pages}"
    await wait_for(shown, lambda text: text == expected, timeout=10)


def set_value(user: User, marker: str, value: object) -> None:
    (element,) = user.find(marker).elements
    assert isinstance(element, ValueElement)
    element.value = value


async def _row(user: User, example_id: str) -> dict[str, Any]:
    return rows(user)[example_id]


def rows(user: User) -> dict[str, dict[str, Any]]:
    """The table's rows, as its templates show them, by example id."""
    (table,) = user.find("examples-table").elements
    assert isinstance(table, ui.table)
    return {row["id"]: row for row in table.rows}


async def test_filters_narrow_the_examples_and_pages_turn(user: User, job: Story) -> None:
    await user.open(f"/jobs/{job.job_id}/results")
    await count_is(user, 62, pages=2)
    first = rows(user)["ex_00007"]
    assert (first["verdict"], first["score"], first["failing"]) == ("rejected", "0.45", "toxicity")
    assert first["input"] == "Question 7 <b>bold</b>?"  # text for Vue's text interpolation
    assert (first["scores"], first["reasons"]) == (
        "readability 0.70 · toxicity 0.20",
        "rejected: toxic(p=0.80)",
    )
    set_value(user, "pages", 2)
    await count_is(user, 62, pages=2, page=2)
    assert len(rows(user)) == 12
    set_value(user, "filter-verdict", "rejected")
    rejected = sum(not s.passed for s in many(job, N)) + 1
    await count_is(user, rejected)
    set_value(user, "filter-verdict", "all")
    set_value(user, "filter-url", "guide/2")
    await count_is(user, 5)
    set_value(user, "filter-check", "toxicity")
    await count_is(user, 1)
    set_value(user, "filter-scores", {"min": 0.9, "max": 1.0})
    await see(user, "No example matches these filters.")


async def test_review_buttons_record_events_the_table_shows(
    user: User, job: Story, redis: Redis, reader: AsyncEngine
) -> None:
    await user.open(f"/jobs/{job.job_id}/results")
    set_value(user, "filter-verdict", "rejected")
    rejected = sum(not s.passed for s in many(job, N)) + 1
    await count_is(user, rejected)
    user.find("examples-table").trigger("approve", "ex_00007")  # a row's Approve button
    await see(user, "approve recorded for ex_00007")
    await count_is(user, rejected - 1)
    shown = await get_example(reader, "ex_00007")
    assert shown is not None and (shown.verdict, shown.passed_qc) == ("passed", False)
    (event,) = [e for e in await read_all(redis, streams.EVENTS) if isinstance(e, ExampleReviewed)]
    assert (event.example_id, event.action) == ("ex_00007", "approve")


async def test_the_edit_dialog_refuses_an_empty_text_and_saves_an_edit(
    user: User, job: Story, reader: AsyncEngine
) -> None:
    await user.open(f"/jobs/{job.job_id}/results")
    await count_is(user, 62, pages=2)
    user.find("examples-table").trigger("edit", "ex_00001")  # a row's Edit button
    set_value(user, "edit-output", "   ")
    user.find("edit-save").click()
    await see(user, "Review refused: an edited input or output must not be empty")
    set_value(user, "edit-output", "A better answer.")
    user.find("edit-save").click()
    await see(user, "edit recorded for ex_00001")
    shown = await get_example(reader, "ex_00001")
    assert shown is not None
    assert (shown.output, shown.original_output, shown.verdict) == (
        "A better answer.",
        "Answer 1.",
        "passed",
    )
    changed = await wait_for(lambda: _row(user, "ex_00001"), lambda r: r["review"] == "edited")
    assert (changed["output"], changed["original_output"]) == ("A better answer.", "Answer 1.")


async def test_examples_the_job_makes_later_appear_without_a_reload(
    user: User, job: Story, redis: Redis
) -> None:
    await user.open(f"/jobs/{job.job_id}/results")
    await count_is(user, N + 2, pages=2)
    later = [section_scored(job, i) for i in range(N, N + 50)]
    await publish_log(redis, [(streams.SHIPPER, s) for s in later])
    await count_is(user, N + 52, pages=3)
