"""Mounts the dashboard on the gateway app: fonts, theme, and every page module's `register`."""

from __future__ import annotations

import secrets

from fastapi import FastAPI
from nicegui import ui

from services.gateway.dashboard import pages, theme


def mount_dashboard(app: FastAPI) -> None:
    """Registers the pages and mounts NiceGUI on `app`; NiceGUI allows this once a process."""
    theme.install()
    for module in pages.modules():
        module.register(app)
    # Sessions only carry NiceGUI's per-browser storage, which the dashboard does not keep.
    ui.run_with(
        app,
        title="AI Data Factory",
        dark=True,
        storage_secret=secrets.token_urlsafe(32),
        show_welcome_message=False,
    )
