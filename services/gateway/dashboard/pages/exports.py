"""`/exports`: the download center; every export with its card, and re-export in another format."""

from __future__ import annotations

from typing import get_args

from fastapi import FastAPI
from nicegui import ui

from services.gateway.commands import exports as commands
from services.gateway.container import Gateway, written_visible
from services.gateway.dashboard import components, theme
from services.gateway.dashboard.frame import empty, frame, section
from services.gateway.queries.exports import (
    ExportListing,
    card_preview,
    export_ids,
    list_exports,
)
from shared.contract.config import ExportConfig, ExportFormat

NAV = ("Exports", "/exports", 30)
REFRESH_S = 2.0
FORMATS = list(get_args(ExportFormat))


async def show_card(gw: Gateway, listing: ExportListing, box: ui.column) -> None:
    """Loads the card when first opened; Markdown source shown as text, never rendered."""
    if box.default_slot.children:
        return
    text = await card_preview(gw.storage, listing.export)
    with box:
        ui.label(text if text is not None else "the card file is missing").classes("df-pre w-full")


def reexport(gw: Gateway, listing: ExportListing) -> None:
    others = [f for f in FORMATS if f != listing.export.format]
    choice = ui.select(others, value=others[0]).props("dense outlined dark options-dense")
    choice.classes("w-32 df-reexport-format").mark("reexport-format")

    async def request() -> None:
        export = ExportConfig(format=choice.value)
        _, written = await commands.request_export(gw.redis, listing.export.job_id, export)
        await written_visible(gw, written)
        ui.notify(f"{choice.value} export requested: it is listed here once the shipper wrote it")

    ui.button("Re-export", icon="autorenew", on_click=request).props(
        "outline dense color=primary"
    ).classes("df-reexport")


def export_row(gw: Gateway, listing: ExportListing) -> None:
    e = listing.export
    with ui.column().classes("df-glass w-full px-5 py-3 gap-1 df-export-row"):
        with ui.row().classes("w-full items-center gap-x-6 gap-y-2"):
            theme.number(e.format, "text-lg df-accent w-20")
            with ui.column().classes("gap-0 w-64 max-w-full min-w-0 overflow-hidden"):
                name = listing.project_name or listing.project_id or "—"
                ui.label(name).classes("text-sm truncate w-full")
                ui.link(e.job_id, f"/jobs/{e.job_id}").classes("df-num text-xs df-link")
                theme.moment("written", e.created_at, "text-xs df-muted")
            number_cell("records", f"{e.record_count:,}", "" if e.record_count else "df-bad")
            number_cell("rejected", f"{e.rejected_count:,}")
            number_cell("size", theme.size(listing.size_bytes))
            number_cell("version", e.version)
            ui.space()
            with ui.row().classes("items-center gap-4"):
                components.export_links(e)
                reexport(gw, listing)
        card = ui.expansion("dataset card").classes("w-full df-card-preview")
        card.props("header-class=df-label dense")
        with card:
            box = ui.column().classes("w-full")
        card.on_value_change(lambda ev: show_card(gw, listing, box) if ev.value else None)


def number_cell(title: str, value: str, tone: str = "") -> None:
    with ui.column().classes("gap-0"):
        theme.label(title)
        theme.number(value, "text-sm", tone)


def register(app: FastAPI) -> None:
    @ui.page("/exports", title="Exports · AI Data Factory", dark=True, response_timeout=10)
    async def exports_page() -> None:
        gw = components.gateway_of(app)
        shown = await list_exports(gw.reader, gw.storage)

        def listing(items: list[ExportListing]) -> None:
            if not items:
                empty("No exports yet: a job's export appears here once the job completes.")
            for item in items:
                export_row(gw, item)

        with frame("Exports", "/exports"):
            section("download center")
            box = ui.refreshable(listing)
            box(shown)

        async def update() -> None:
            nonlocal shown
            if await export_ids(gw.reader) != [s.export.id for s in shown]:
                shown = await list_exports(gw.reader, gw.storage)
                box.refresh(shown)

        ui.timer(REFRESH_S, update)
