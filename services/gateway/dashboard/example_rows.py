"""The results table: one row per example that expands to its text, scores, reasons and
review, with approve, reject and an edit dialog that call the API's review command.

One table element holds the page's rows (a light page whatever the number of rows); its
templates show every value through Vue's text interpolation, never as HTML."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import HTTPException
from nicegui import ui
from nicegui.events import GenericEventArguments
from pydantic import ValidationError

from services.gateway.commands.bodies import ReviewRequest
from services.gateway.dashboard import theme
from services.gateway.queries.example_models import ExampleOut

Review = Callable[[str, ReviewRequest], Awaitable[None]]
VERDICT_COLORS = {"passed": theme.GREEN, "rejected": theme.ORANGE, "unscored": theme.MUTED}
BRIEF_CHARS = 160
REVIEW_STATES = {"approve": "approved", "reject": "rejected", "edit": "edited"}
COLUMNS = [
    {"name": "verdict", "label": "verdict", "field": "verdict", "align": "left"},
    {"name": "score", "label": "score", "field": "score", "align": "right"},
    {"name": "brief", "label": "input", "field": "brief", "align": "left"},
    {"name": "failing", "label": "below min", "field": "failing", "align": "left"},
    {"name": "review", "label": "review", "field": "review", "align": "left"},
]
_TEXT = """<div class="df-label {tone}">{title}</div>
<div class="df-text {tone}">{{{{ props.row.{field} }}}}</div>"""
BODY = f"""
<q-tr :props="props" class="df-example cursor-pointer" @click="props.expand = !props.expand">
  <q-td key="verdict" :props="props">
    <span class="df-hex" :style="{{background: props.row.color}}">{{{{ props.row.verdict }}}}</span>
  </q-td>
  <q-td key="score" :props="props" class="df-num df-accent">{{{{ props.row.score }}}}</q-td>
  <q-td key="brief" :props="props" class="df-text">{{{{ props.row.brief }}}}</q-td>
  <q-td key="failing" :props="props" class="df-label df-cost">{{{{ props.row.failing }}}}</q-td>
  <q-td key="review" :props="props" class="df-label">{{{{ props.row.review }}}}</q-td>
</q-tr>
<q-tr v-if="props.expand" :props="props" class="df-example-detail">
  <q-td colspan="100%" style="white-space: normal">
    {_TEXT.format(tone="", title="input", field="input")}
    <template v-if="props.row.original_input">
    {_TEXT.format(tone="df-muted", title="original input", field="original_input")}
    </template>
    {_TEXT.format(tone="", title="output", field="output")}
    <template v-if="props.row.original_output">
    {_TEXT.format(tone="df-muted", title="original output", field="original_output")}
    </template>
    <div class="df-num text-sm q-mt-sm">{{{{ props.row.scores }}}}</div>
    <div class="df-text df-cost">{{{{ props.row.reasons }}}}</div>
    <div class="df-text df-muted">{{{{ props.row.reviewed }}}}</div>
    <div class="df-text df-muted text-xs">{{{{ props.row.source }}}}</div>
    <div class="row q-gutter-sm q-mt-sm">
      <q-btn outline color="positive" label="Approve"
        @click.stop="() => $parent.$emit('approve', props.row.id)" />
      <q-btn outline color="warning" label="Reject"
        @click.stop="() => $parent.$emit('reject', props.row.id)" />
      <q-btn outline label="Edit…" @click.stop="() => $parent.$emit('edit', props.row.id)" />
    </div>
  </q-td>
</q-tr>
"""


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


def row(ex: ExampleOut) -> dict[str, Any]:
    """An example as the table's templates read it: text only."""
    state = REVIEW_STATES.get(ex.review.action, ex.review.action) if ex.review else ""
    reviewed = ex.review and f"{state} by review {theme.ago(ex.review.reviewed_at)}"
    note = f": {ex.review.note}" if ex.review and ex.review.note else ""
    return {
        "id": ex.id,
        "verdict": ex.verdict,
        "color": VERDICT_COLORS[ex.verdict],
        "score": "—" if ex.quality_score is None else f"{ex.quality_score:.2f}",
        "brief": ex.input[:BRIEF_CHARS],
        "failing": ", ".join(ex.failing),
        "review": state,
        "input": ex.input,
        "output": ex.output,
        "original_input": ex.original_input if ex.input != ex.original_input else "",
        "original_output": ex.original_output if ex.output != ex.original_output else "",
        "scores": " · ".join(f"{name} {s:.2f}" for name, s in sorted(ex.scores.items())),
        "reasons": _explained(ex),
        "reviewed": (reviewed + note) if reviewed else "",
        "source": f"{ex.url or '—'} · {ex.template or '—'} · {ex.id}",
    }


def _explained(ex: ExampleOut) -> str:
    """One explanation per verdict: why a rejected example is rejected; a passed one's
    warnings, never as a rejection."""
    if ex.verdict == "rejected" and ex.reasons:
        return "rejected: " + "; ".join(ex.reasons)
    if ex.verdict == "passed" and ex.warnings:
        return "passed with warnings: " + "; ".join(ex.warnings)
    return ""


def edit_dialog(ex: ExampleOut, review: Review) -> ui.dialog:
    with ui.dialog() as dialog, ui.card().classes("df-glass w-[48rem] max-w-full") as card:
        card.style(f"background: {theme.BACKGROUND}")  # opaque: the table shows through glass
        theme.label(f"edit {ex.id}")
        given = ui.textarea("input", value=ex.input).classes("w-full").mark("edit-input")
        said = ui.textarea("output", value=ex.output).classes("w-full").mark("edit-output")
        note = ui.input("note (optional)").classes("w-full").mark("edit-note")

        async def save() -> None:
            body = {"action": "edit", "input": given.value, "output": said.value}
            if await submit(review, ex.id, **body, note=note.value):
                dialog.close()

        with ui.row():
            ui.button("Save edit", on_click=save).mark("edit-save")
            ui.button("Cancel", on_click=dialog.close).props("flat")
    return dialog


class ExamplesTable:
    """The page's rows in one table; `show` swaps them in place, so rows a user opened stay
    open when the page is redrawn."""

    def __init__(self, review: Review) -> None:
        self.review, self.examples = review, dict[str, ExampleOut]()
        self.table = ui.table(columns=COLUMNS, rows=[], row_key="id")  # all rows, no pager
        self.table.props("flat dense wrap-cells").mark("examples-table")
        self.table.classes("w-full df-glass df-examples").add_slot("body", BODY)
        self.dialogs = ui.element("div")
        self.table.on("approve", lambda e: self._act("approve", e))
        self.table.on("reject", lambda e: self._act("reject", e))
        self.table.on("edit", self._edit)

    def show(self, examples: list[ExampleOut]) -> None:
        self.examples = {ex.id: ex for ex in examples}
        self.table.rows = [row(ex) for ex in examples]
        self.table.set_visibility(bool(examples))

    async def _act(self, action: str, event: GenericEventArguments) -> None:
        await submit(self.review, str(event.args), action=action)

    def _edit(self, event: GenericEventArguments) -> None:
        example = self.examples.get(str(event.args))
        if example is not None:
            self.dialogs.clear()
            with self.dialogs:
                edit_dialog(example, self.review).open()
