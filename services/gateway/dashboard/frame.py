"""The shared page frame: a sticky HUD header with the nav to every page, then the content."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from nicegui import ui

from services.gateway.dashboard import pages, theme
from services.gateway.session_cookie import COOKIE


@contextmanager
def frame(title: str, current: str = "") -> Iterator[ui.column]:
    """Renders the header and nav; the block fills the page's content column."""
    ui.query("body").classes("df-body")
    theme.colors()
    links = pages.nav()
    with ui.row().classes("w-full items-center justify-between df-glass df-scan df-header no-wrap"):
        with ui.row().classes("items-center gap-4 no-wrap min-w-0"):
            ui.link("◢ AI DATA FACTORY", "/").classes(
                "text-lg font-bold df-accent df-num no-underline df-brand"
            )
            theme.label(title, "df-bracket df-title")
        with ui.row().classes("items-center gap-1 df-nav no-wrap"):
            for link in links:
                css = "df-current" if link.path == current else ""
                ui.link(link.label, link.path).classes(css)
        with ui.row().classes("items-center gap-2 no-wrap"):
            if _signed_in():
                ui.link("log out", "/logout").classes("df-label df-link ml-3 df-logout")
            _menu(links, current)
    with ui.column().classes("df-page") as content:
        yield content


def _menu(links: list[pages.NavLink], current: str) -> None:
    """The nav as a menu button, shown instead of the links on a narrow screen."""
    button = ui.button(icon="menu").props('flat round dense color=primary aria-label="Menu"')
    with button.classes("df-menu-button"), ui.menu().classes("df-menu"):
        for link in links:
            item = ui.menu_item(link.label, lambda path=link.path: ui.navigate.to(path))
            item.classes("df-current" if link.path == current else "")


def _signed_in() -> bool:
    """The browser holds the login's session: the gateway requires its token."""
    request = ui.context.client.request
    return request is not None and COOKIE in request.cookies


def section(title: str) -> ui.label:
    """A section title in HUD brackets."""
    return theme.label(title, "df-bracket mt-2")


def empty(text: str) -> None:
    with ui.column().classes("df-glass w-full px-6 py-8 items-center"):
        ui.label(text).classes("df-muted")


def missing(what: str) -> None:
    """What a page shows for an id the read model does not know (yet)."""
    empty(f"No such {what} (yet): the log may still be projecting.")
