"""A hostile local web for SSRF probes: attacker hosts the spider may reach, and a "secret"
internal host it must never reach, which answers every path with a marker and logs the hit."""

from __future__ import annotations

import gzip
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.web import Loopback, host_of

SECRET = "SECRET-7f3a-internal-metadata"
ARTICLE = (
    "<p>"
    + " ".join(f"Sentence {i} on how a careful workshop sharpens chisels." for i in range(40))
    + "</p>"
)
Route = Callable[["Handler", int], None]


JS_ONLY = (
    "<div id='root'></div><noscript>You need to enable JavaScript to run this app.</noscript>"
    f"<script>document.getElementById('root').innerHTML = {ARTICLE!r};</script>"
)


def html(body: str, head: str = "") -> bytes:
    return f"<html lang='en'><head><title>Probe</title>{head}</head><body>{body}</body></html>".encode()


class Web:
    """One threaded server per loopback host, all on one port; routes by (host, path)."""

    def __init__(self, hosts: list[str], secret_hosts: list[str]) -> None:
        self.routes: dict[tuple[str, str], Route] = {}
        self.secret_hosts = secret_hosts
        self.log: dict[tuple[str, str], list[dict[str, str]]] = defaultdict(list)
        self.lock = threading.Lock()
        self.loopback = Loopback(type("Bound", (Handler,), {"web": self}), hosts)
        self.port = self.loopback.port

    def url(self, host: str, path: str) -> str:
        return f"http://{host}:{self.port}{path}"

    def hits(self, host: str) -> list[str]:
        """Paths requested from `host`, in order."""
        with self.lock:
            return [path for (h, path), seen in self.log.items() if h == host for _ in seen]

    def headers(self, host: str, path: str) -> list[dict[str, str]]:
        with self.lock:
            return list(self.log[(host, path)])

    def close(self) -> None:
        self.loopback.close()


class Handler(BaseHTTPRequestHandler):
    web: Web
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        host, path = host_of(self), self.path.split("?")[0]
        with self.web.lock:
            self.web.log[(host, path)].append(dict(self.headers.items()))
            count = len(self.web.log[(host, path)])
        route = self.web.routes.get((host, path)) or self.web.routes.get(("*", path))
        fallback = secret if host in self.web.secret_hosts else not_found
        try:
            (route or fallback)(self, count)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def send(self, code: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(code)
        for key, value in {"Content-Type": "text/html; charset=utf-8", **(headers or {})}.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def secret(handler: Handler, count: int) -> None:
    handler.send(200, html(f"<h1>{SECRET}</h1>{ARTICLE}"))


def not_found(handler: Handler, count: int) -> None:
    handler.send(404, b"no route")


def page(body: str, head: str = "") -> Route:
    return lambda handler, count: handler.send(200, html(body, head))


def redirect(to: str) -> Route:
    return lambda handler, count: handler.send(302, b"", {"Location": to})


def cloaked(first: Route, then: Route) -> Route:
    """The first request (the spider's httpx fetch) gets `first`; later ones (Chromium) `then`."""
    return lambda handler, count: (first if count == 1 else then)(handler, count)


def text(body: bytes, headers: dict[str, str] | None = None) -> Route:
    kind = {"Content-Type": "text/plain", **(headers or {})}
    return lambda handler, count: handler.send(200, body, kind)


def gzip_bomb() -> Route:
    bomb = gzip.compress(b"\n" * 50_000_000, compresslevel=9)  # about 50 KB on the wire
    return text(bomb, {"Content-Encoding": "gzip"})


def trickle(every_s: float) -> Route:
    """A robots.txt sent one byte at a time, one every `every_s` seconds."""

    def route(handler: Handler, count: int) -> None:
        body = b"User-agent: *\nAllow: /\n"
        handler.send_response(200)
        handler.send_header("Content-Type", "text/plain")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        for byte in body:
            handler.wfile.write(bytes([byte]))
            handler.wfile.flush()
            time.sleep(every_s)

    return route
