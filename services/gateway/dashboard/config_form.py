"""Accordion panels, one per stage, editing a job config held as a plain dict (JobConfig's
JSON form); the caller validates the dict with JobConfig, as the API does."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, get_args

from nicegui import ui

from shared.contract.config import CheckName, ExportFormat

# (section, field, label, kind, choices): kinds are number, switch, select, multi, text, list.
Field = tuple[str, str, str, str, list[str] | None]
PANELS: dict[str, tuple[str, list[Field]]] = {
    "scraping": (
        "01 · Spider · scraping",
        [
            ("scraping", "max_concurrent", "Pages fetched at once", "number", None),
            ("scraping", "requests_per_second", "Requests per second per site", "number", None),
            (
                "scraping",
                "use_playwright",
                "Browser rendering",
                "select",
                ["auto", "always", "never"],
            ),
            ("scraping", "respect_robots_txt", "Respect robots.txt", "switch", None),
            ("scraping", "crawl", "Crawl same-site links", "switch", None),
            ("scraping", "max_depth", "Crawl depth", "number", None),
            ("scraping", "max_pages", "Pages at most", "number", None),
        ],
    ),
    "processing": (
        "02 · Refiner · processing",
        [
            ("processing", "chunk_size", "Chunk size (tokens)", "number", None),
            ("processing", "chunk_overlap", "Chunk overlap (tokens)", "number", None),
            ("processing", "min_chunk_tokens", "Smallest chunk (tokens)", "number", None),
            (
                "processing",
                "languages",
                "Languages kept (ISO codes, comma-separated)",
                "list",
                None,
            ),
            ("processing", "dedup_threshold", "Near-duplicate similarity", "number", None),
        ],
    ),
    "generation": (
        "03 · Factory · generation",
        [
            ("generation", "model", "Model (empty: the deployment's)", "text", None),
            ("generation", "examples_per_chunk", "Examples per chunk", "number", None),
            ("generation", "temperature", "Temperature", "number", None),
            ("generation", "max_concurrent_llm", "LLM calls at once", "number", None),
            ("generation", "max_cost_usd", "Spending cap ($, empty: the default)", "number", None),
            ("generation", "mode", "Mode", "select", ["online", "batch"]),
            ("generation", "dry_run", "Dry run (mock answers, nothing spent)", "switch", None),
        ],
    ),
    "quality": (
        "04 · Inspector · quality",
        [
            ("quality", "min_score", "Minimum score", "number", None),
            ("quality", "checks", "Checks", "multi", list(get_args(CheckName))),
            ("quality", "toxicity_threshold", "Toxicity threshold", "number", None),
            ("quality", "output_language", "Output language (empty: the chunk's)", "text", None),
        ],
    ),
    "export": (
        "05 · Shipper · export",
        [
            ("export", "format", "Format", "select", list(get_args(ExportFormat))),
        ],
    ),
}


def _blank_is_none(value: Any) -> Any:
    return None if value == "" else value


def _input(values: dict[str, Any], field: Field, changed: Callable[[], None]) -> None:
    section, name, label, kind, choices = field
    target = values[section]
    if kind == "number":
        widget: Any = ui.number(label, value=target[name])
    elif kind == "switch":
        widget = ui.switch(label, value=target[name])
    elif kind in ("select", "multi"):
        widget = ui.select(choices or [], label=label, value=target[name], multiple=kind == "multi")
    elif kind == "list":
        widget = ui.input(label, value=", ".join(target[name]))
    else:
        widget = ui.input(label, value=target[name] or "")
    widget.classes("w-64 df-config-field").props("dense outlined dark" if kind != "switch" else "")

    def store(event: Any) -> None:
        value = event.value
        if kind == "list":
            value = [part.strip() for part in (value or "").split(",") if part.strip()]
        target[name] = _blank_is_none(value)
        changed()

    widget.on_value_change(store)


def panels(values: dict[str, Any], changed: Callable[[], None]) -> dict[str, ui.expansion]:
    """One accordion per stage; `changed` runs after any field changes `values`. Returns the
    panels by section, so a caller can add to one (the template picker to generation's)."""
    found = {}
    for key, (title, fields) in PANELS.items():
        panel = ui.expansion(title).classes("w-full df-config-panel").props("dense")
        with panel, ui.row().classes("w-full gap-4 items-end"):
            for field in fields:
                _input(values, field, changed)
        found[key] = panel
    return found
