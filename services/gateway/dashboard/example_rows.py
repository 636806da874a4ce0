"""One example of the results page: a row that expands to its text, scores, reasons and
review, with approve, reject and an edit dialog that call the API's review command."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable

from fastapi import HTTPException
from nicegui import ui
from nicegui.events import ValueChangeEventArguments
from pydantic import ValidationError

from services.gateway.api.example_schemas import ExampleOut, ReviewRequest
from services.gateway.dashboard import theme
from services.gateway.dashboard.components import text_block

Review = Callable[[str, ReviewRequest], Awaitable[None]]
VERDICT_COLORS = {"passed": theme.GREEN, "rejected": theme.ORANGE, "unscored": theme.MUTED}


def problem(exc: Exception) -> str:
    """What the API would answer with 422 or 4xx, said in a line."""
    if isinstance(exc, ValidationError):
        return "; ".join(e["msg"].removeprefix("Value error, ") for e in exc.errors())
    return str(exc.detail) if isinstance(exc, HTTPException) else str(exc)


async def submit(review: Review, example_id: str, **body: str | None) -> bool:
    """Validates with the API's model and reviews; a refusal is shown, never raised."""
    try:
        await review(example_id, ReviewRequest.model_validate(body))
    except (ValidationError, HTTPException) as exc:
        ui.notify(f"Review refused: {problem(exc)}", type="negative")
        return False
    return True


def _summary(ex: ExampleOut) -> None:
    with ui.row().classes("w-full items-center gap-4 no-wrap"):
        color = VERDICT_COLORS[ex.verdict]
        ui.label(ex.verdict).classes("df-hex").style(f"background: {color}")
        score = "—" if ex.quality_score is None else f"{ex.quality_score:.2f}"
        theme.number(score, "w-12 df-accent")
        text_block(ex.input[:140], "grow df-example-input")
        theme.label(", ".join(ex.failing) or "\u00a0", "w-40 df-cost")
        theme.label(ex.review.action if ex.review else "\u00a0", "w-16")


def _detail(ex: ExampleOut) -> None:
    for title, text, original in (
        ("input", ex.input, ex.original_input),
        ("output", ex.output, ex.original_output),
    ):
        theme.label(title)
        text_block(text, "df-example-text")
        if text != original:
            theme.label(f"original {title}", "df-muted")
            text_block(original, "df-muted")
    scores = " · ".join(f"{name} {s:.2f}" for name, s in sorted(ex.scores.items()))
    theme.number(scores or "not scored yet", "text-sm")
    if ex.reasons:
        text_block("rejected because: " + "; ".join(ex.reasons), "df-cost")
    if ex.review is not None:
        note = f": {ex.review.note}" if ex.review.note else ""
        text_block(f"reviewed {ex.review.action} at {ex.review.reviewed_at}{note}", "df-muted")
    text_block(f"{ex.url or '—'} · {ex.template or '—'} · {ex.id}", "df-muted text-xs")


def edit_dialog(ex: ExampleOut, review: Review) -> ui.dialog:
    with ui.dialog() as dialog, ui.card().classes("df-glass w-[48rem] max-w-full"):
        theme.label(f"edit {ex.id}")
        given = ui.textarea("input", value=ex.input).classes("w-full").mark(f"edit-input-{ex.id}")
        said = ui.textarea("output", value=ex.output).classes("w-full").mark(f"edit-output-{ex.id}")
        note = ui.input("note (optional)").classes("w-full").mark(f"edit-note-{ex.id}")

        async def save() -> None:
            body = {"action": "edit", "input": given.value, "output": said.value}
            if await submit(review, ex.id, **body, note=note.value):
                dialog.close()

        with ui.row():
            ui.button("Save edit", on_click=save).mark(f"save-{ex.id}")
            ui.button("Cancel", on_click=dialog.close).props("flat")
    return dialog


def _buttons(ex: ExampleOut, review: Review) -> None:
    with ui.row().classes("gap-2") as row:
        for action, color in (("approve", "positive"), ("reject", "orange")):
            clicked = functools.partial(submit, review, ex.id, action=action)
            button = ui.button(action.capitalize(), on_click=clicked).mark(f"{action}-{ex.id}")
            button.props(f"outline color={color}")

        def edit() -> None:  # made on demand: a page of rows holds no idle dialogs
            with row:
                edit_dialog(ex, review).open()

        ui.button("Edit…", on_click=edit).props("outline").mark(f"edit-{ex.id}")


def example_row(ex: ExampleOut, review: Review, opened: set[str]) -> None:
    """The summary line; the detail is built when the row is first opened, so a page of
    rows stays light. `opened` keeps the rows open across the page's refreshes."""
    with ui.expansion().classes("w-full df-glass df-example").mark(f"example-{ex.id}") as row:
        with row.add_slot("header"):
            _summary(ex)
        body = ui.column().classes("w-full gap-1")

    def toggled(event: ValueChangeEventArguments[bool]) -> None:
        if not event.value:
            opened.discard(ex.id)
            return
        opened.add(ex.id)
        if not body.default_slot.children:
            with body:
                _detail(ex)
                _buttons(ex, review)

    row.on_value_change(toggled)
    row.value = ex.id in opened
