"""Serves the sample site shipped with the project on 127.0.0.1, for the offline demo."""

from __future__ import annotations

import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

SITE = Path(__file__).parent / "sample_site"


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def serve_sample_site() -> tuple[ThreadingHTTPServer, list[str]]:
    """Starts the server in a thread; returns it and the URLs of the sample articles."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(SITE)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    pages = sorted(p.name for p in SITE.glob("*.html") if p.name != "index.html")
    return server, [f"{base}/{name}" for name in pages]
