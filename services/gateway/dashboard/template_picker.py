"""The template choice with its params, editing the generation section of a config dict."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from nicegui import ui

from services.gateway.queries.templates import TemplateChoice

SIMPLE = {"string": ui.input, "integer": ui.number, "number": ui.number, "boolean": ui.switch}


def _param_input(params: dict[str, Any], name: str, kind: str, changed: Callable[[], None]) -> None:
    """Scalars get their own input; lists and objects are edited as JSON."""
    value = params.get(name)
    if kind in SIMPLE:
        widget = SIMPLE[kind](name, value=value)
    else:
        widget = ui.input(f"{name} (JSON)", value=json.dumps(value))
    widget.classes("w-full df-template-param").props("dense outlined dark")

    def store(event: Any) -> None:
        new = event.value
        if kind not in SIMPLE:
            try:
                new = json.loads(new)
            except json.JSONDecodeError:
                new = event.value  # kept as text: validation names the param
        if kind == "integer" and isinstance(new, float) and new.is_integer():
            new = int(new)
        params[name] = new
        changed()

    widget.on_value_change(store)


def picker(
    generation: dict[str, Any], choices: list[TemplateChoice], changed: Callable[[], None]
) -> None:
    """A select of the templates; choosing one resets the params to its defaults."""
    by_name = {c.name: c for c in choices}
    labels = {c.name: f"{c.name} · {c.kind}" for c in choices}

    @ui.refreshable
    def params_box() -> None:
        chosen = by_name.get(generation["template"])
        if chosen is None:
            return
        ui.label(chosen.description).classes("df-text df-muted text-xs")
        for name, param in chosen.params.items():
            _param_input(generation["template_params"], name, param.type, changed)

    def choose(event: Any) -> None:
        generation["template"] = event.value
        chosen = by_name.get(event.value)
        defaults = {k: p.default for k, p in chosen.params.items()} if chosen else {}
        generation["template_params"] = defaults
        params_box.refresh()
        changed()

    with ui.column().classes("w-full gap-2 df-template-picker"):
        select = ui.select(labels, label="Template", value=generation["template"])
        select.classes("w-80 max-w-full df-template").props("dense outlined dark")
        select.on_value_change(choose)
        params_box()
