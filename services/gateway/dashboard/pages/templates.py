"""`/templates`: every template with its params and source; user templates created, edited
(each save a new version) and deleted, checked as the API checks them."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI
from nicegui import ui

from services.gateway.commands import templates as commands
from services.gateway.container import Gateway
from services.gateway.dashboard import components, forms, theme
from services.gateway.dashboard.frame import frame
from services.gateway.queries import templates as queries
from shared.contract.templates import TemplateSpec

NAV = ("Templates", "/templates", 60)
Reload = Callable[[], Awaitable[None]]
# The JSON parts of a spec, edited as text; an empty sample means none.
JSON_PARTS = ("params", "output_schema", "mapping", "sample")
STARTER: dict[str, Any] = {
    "params": {},
    "output_schema": {
        "type": "object",
        "properties": {"question": {"type": "string"}, "answer": {"type": "string"}},
        "required": ["question", "answer"],
    },
    "mapping": {"input": "question", "output": "answer"},
    "sample": None,
}


def _code(label: str, value: str, rows: int = 6) -> ui.textarea:
    area = ui.textarea(label, value=value).classes("w-full df-num df-template-source")
    return area.props(f"outlined dark rows={rows}")


def _values(fields: dict[str, Any], errors: ui.label) -> dict[str, Any] | None:
    """The form as a spec's fields: JSON parts parsed, a parse error named by its part."""
    values = {name: widget.value for name, widget in fields.items()}
    for part in JSON_PARTS:
        text = (values[part] or "").strip()
        try:
            values[part] = json.loads(text) if text else None
        except json.JSONDecodeError as exc:
            errors.set_text(f"{part}: not JSON: {exc}")
            errors.set_visibility(True)
            return None
    values["params"] = values["params"] or {}
    return values


def editor(gw: Gateway, reload: Reload, spec: TemplateSpec | None = None) -> ui.dialog:
    """Creates a template, or saves the next version of `spec`'s."""
    start = spec.model_dump(mode="json") if spec else {"name": "", "description": ""} | STARTER
    with forms.dialog() as dialog, ui.card().classes("w-[56rem] max-w-full gap-2 df-template-form"):
        theme.label(f"edit {spec.name}@{spec.version}" if spec else "new template")
        fields: dict[str, Any] = {
            "name": ui.input("Name", value=start["name"]).classes("w-full"),
            "description": ui.input("Description", value=start["description"]).classes("w-full"),
            "system": _code("System prompt (Jinja2)", start.get("system", ""), 4),
            "user": _code("User prompt (Jinja2: text, n, schema, params)", start.get("user", "")),
        }
        if spec:
            fields["name"].props("readonly")
        for part in JSON_PARTS:
            shown = "" if start[part] is None else json.dumps(start[part], indent=2)
            fields[part] = _code(f"{part} (JSON)", shown, 5)
        errors = forms.error_label()

        async def save() -> None:
            values = _values(fields, errors)
            found = forms.validated(TemplateSpec, values, errors) if values else None
            if found is None:
                return
            try:
                await commands.save_template(gw.redis, found, replacing=spec is not None)
            except commands.TemplateRefused as exc:
                errors.set_text(str(exc))
                errors.set_visibility(True)
                return
            dialog.close()
            await reload()

        with ui.row().classes("w-full justify-end"):
            ui.button("Cancel", on_click=dialog.close).props("flat color=grey-5")
            ui.button("Save", on_click=save).props("color=primary text-color=black")
    return dialog


def source_dialog(name: str) -> ui.dialog:
    with forms.dialog() as dialog, ui.card().classes("w-[56rem] max-w-full gap-2"):
        theme.label(f"{name} · built-in")
        ui.code(queries.source_of_builtin(name), language="jinja").classes("w-full")
        ui.button("Close", on_click=dialog.close).props("flat color=grey-5")
    return dialog


async def _delete(gw: Gateway, reload: Reload, name: str) -> None:
    try:
        await commands.delete_template(gw.redis, name)
    except commands.TemplateRefused as exc:
        ui.notify(str(exc), type="warning")
    await reload()


def template_card(
    gw: Gateway, reload: Reload, choice: queries.TemplateChoice, spec: TemplateSpec | None
) -> None:
    with ui.column().classes("df-glass df-corners df-panel gap-2 w-[26rem] max-w-full df-template"):
        with ui.row().classes("w-full items-center gap-2"):
            ui.label(choice.name).classes("text-lg font-semibold df-accent")
            version = f"@{choice.version}" if choice.version else ""
            theme.number(f"{choice.kind}{version}", "text-xs df-muted")
            ui.space()
            if spec is None:
                view = ui.button(icon="code", on_click=lambda: source_dialog(choice.name).open())
                view.props('flat round dense color=primary aria-label="View source"').mark(
                    f"source-{choice.name}"
                )
                view.tooltip("Source")
            else:
                edit = ui.button(icon="edit", on_click=lambda: editor(gw, reload, spec).open())
                edit.props('flat round dense color=primary aria-label="Edit template"').mark(
                    f"edit-{choice.name}"
                )
                drop = ui.button(icon="delete", on_click=lambda: _delete(gw, reload, choice.name))
                drop.props('flat round dense color=warning aria-label="Delete template"').mark(
                    f"delete-{choice.name}"
                )
        components.text_block(choice.description or "no description", "df-muted")
        for name, param in choice.params.items():
            default = json.dumps(param.default)
            theme.number(f"{name}: {param.type} = {default}"[:120], "text-xs")


def register(app: FastAPI) -> None:
    @ui.page("/templates", title="Templates · AI Data Factory", dark=True, response_timeout=10)
    async def templates_page() -> None:
        gw = components.gateway_of(app)
        with frame("Templates", "/templates"):

            @ui.refreshable
            async def listing() -> None:
                specs = {spec.name: spec for spec in await queries.saved(gw.redis)}
                with ui.row().classes("w-full gap-4"):
                    for choice in await queries.choices(gw.redis):
                        template_card(gw, listing.refresh, choice, specs.get(choice.name))

            with ui.row().classes("w-full items-center"):
                theme.label("templates", "df-bracket")
                ui.space()
                new = ui.button("New template", icon="add")
                new.props("color=primary text-color=black").classes("df-new-template")
                new.on_click(lambda: editor(gw, listing.refresh).open())
            await listing()
