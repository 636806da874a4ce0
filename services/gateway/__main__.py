"""`python -m services.gateway` serves the API, the SSE streams and the dashboard."""

from __future__ import annotations

import logging
import sys

import uvicorn

from services.gateway.api.access import TokenRequired
from services.gateway.app import create_app
from shared import secrets, user_settings
from shared.settings import Settings


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    settings = user_settings.apply(Settings())  # what the dashboard saved wins
    secrets.guard_logs(settings)
    try:
        app = create_app(settings)
    except TokenRequired as exc:
        logging.getLogger("datafactory.gateway").error("refusing to start: %s", exc)
        sys.exit(2)
    uvicorn.run(
        app,
        host=settings.gateway_host,
        port=settings.gateway_port,
        timeout_graceful_shutdown=5,
        log_config=None,
    )


main()
