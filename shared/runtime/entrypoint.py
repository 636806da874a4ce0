"""Runs a stage's FastStream app in this process until SIGTERM or Ctrl-C."""

from __future__ import annotations

import asyncio
import importlib
import logging

from faststream import FastStream

from shared import secrets, user_settings
from shared.settings import Settings


def run_stage(module: str) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    factory = importlib.import_module(module).create_app
    # The model, API base and key saved from the dashboard win over the environment's.
    settings = user_settings.apply(Settings())
    secrets.guard_logs(settings)  # a key quoted back in an error must not reach the log file
    app: FastStream = factory(settings)
    asyncio.run(app.run())
