"""`/jobs/{id}/results`: a job's examples, filtered and paged as the API pages them, each
row expanding to its text, scores and reasons, with approve, reject and edit."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, get_args

from fastapi import FastAPI
from nicegui import ui

from services.gateway.commands import reviews
from services.gateway.commands.bodies import ReviewRequest
from services.gateway.container import Gateway
from services.gateway.dashboard import components, theme
from services.gateway.dashboard.example_rows import ExamplesTable, Review
from services.gateway.dashboard.frame import frame, missing, section
from services.gateway.queries.example_models import ExampleFilters, ExamplePage
from services.gateway.queries.examples import examples_page, get_example, job_state
from shared.contract.config import CheckName

REFRESH_S = 3.0
VERDICTS = {"all": "all", "passed": "passed", "rejected": "rejected"}
REVIEWED = {"all": "reviewed or not", "yes": "reviewed", "no": "not reviewed"}
CHECKS = {"all": "any check"} | {name: f"{name} below min" for name in get_args(CheckName)}


@dataclass
class Chosen:
    """The filter widgets' values; `filters()` is what the API would be asked."""

    verdict: str = "all"
    check: str = "all"
    reviewed: str = "all"
    url: str = ""
    scores: dict[str, float] = field(default_factory=lambda: {"min": 0.0, "max": 1.0})
    page: int = 1

    def filters(self) -> ExampleFilters:
        low, high = self.scores["min"], self.scores["max"]
        return ExampleFilters.model_validate(
            {
                "verdict": None if self.verdict == "all" else self.verdict,
                "check": None if self.check == "all" else self.check,
                "reviewed": None if self.reviewed == "all" else self.reviewed == "yes",
                "url": self.url.strip() or None,
                "min_score": low if low > 0 else None,
                "max_score": high if high < 1 else None,
            }
        )


def _score_range() -> ui.range:
    with ui.row().classes("items-center gap-3 no-wrap"):
        theme.label("score")
        return ui.range(min=0, max=1, step=0.05).props("label color=primary").classes("w-48")


def filter_bar(chosen: Chosen, changed: Any) -> None:
    with ui.row().classes("w-full items-center gap-4 df-glass df-panel df-filters"):
        outlined = "dense outlined dark"
        widgets = {
            "verdict": ui.toggle(VERDICTS).props("flat dense toggle-color=primary"),
            "check": ui.select(CHECKS).props(outlined).classes("w-52"),
            "reviewed": ui.select(REVIEWED).props(outlined).classes("w-44"),
            "url": ui.input("source URL contains").props(f"{outlined} clearable").classes("w-64"),
            "scores": _score_range(),
        }
        for name, widget in widgets.items():
            widget.bind_value(chosen, name).mark(f"filter-{name}").on_value_change(changed)


class Results:
    """The count, the pager and the table of one page of examples, redrawn in place."""

    def __init__(self, turn: Any, review: Review) -> None:
        with ui.row().classes("w-full items-center gap-4"):
            self.count = theme.number("", "text-sm").mark("results-count")
            ui.space()
            self.pager = ui.pagination(1, 1, direction_links=True, value=1).mark("pages")
            self.pager.props("dense color=primary").on_value_change(turn)
        self.empty = ui.label("No example matches these filters.").classes("df-muted")
        self.table = ExamplesTable(review)

    def show(self, shown: ExamplePage) -> None:
        self.count.text = f"{shown.total:,} examples match · page {shown.page} of {shown.pages}"
        self.pager.max, self.pager.value = shown.pages, shown.page
        self.empty.set_visibility(not shown.examples)
        self.table.show(shown.examples)


async def render(gw: Gateway, job_id: str) -> None:
    status = await job_state(gw.reader, job_id)
    if status is None:
        missing("job")
        return
    with ui.row().classes("items-center gap-4"):
        ui.link("← job", f"/jobs/{job_id}").classes("df-link df-label")
        theme.badge(status)
    chosen = Chosen()
    shown = await examples_page(gw.reader, job_id, chosen.filters())
    asked = 0

    async def load() -> None:
        """Redraws if the page changed; a slower answer to an earlier ask is dropped."""
        nonlocal asked, shown
        asked += 1
        mine = asked
        fresh = await examples_page(gw.reader, job_id, chosen.filters(), chosen.page)
        if mine == asked and fresh != shown:
            shown = fresh
            results.show(fresh)

    async def changed() -> None:
        chosen.page = 1
        await load()

    async def turn(event: Any) -> None:
        if int(event.value) != chosen.page:
            chosen.page = int(event.value)
            await load()

    async def review(example_id: str, body: ReviewRequest) -> None:
        example = await get_example(gw.reader, example_id)
        if example is None:
            ui.notify(f"example {example_id} is not known", type="negative")
            return
        await reviews.review(gw, example, body)
        ui.notify(f"{body.action} recorded for {example_id}", type="positive")
        await load()

    filter_bar(chosen, changed)
    section("Examples")
    results = Results(turn, review)
    results.show(shown)
    ui.timer(REFRESH_S, load)  # a running job's new examples, another reviewer's reviews


def register(app: FastAPI) -> None:
    @ui.page("/jobs/{job_id}/results", title="Results · AI Data Factory", dark=True)
    async def results_page(job_id: str) -> None:
        with frame(f"Results {job_id}"):
            await render(components.gateway_of(app), job_id)
