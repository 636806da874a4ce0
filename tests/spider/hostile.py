"""A local test web with hostile endpoints, one server per loopback host, logging requests."""

from __future__ import annotations

import gzip
import threading
import time
from collections import defaultdict
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.web import Loopback, host_of

ARTICLE = (
    "<p>"
    + " ".join(
        f"Paragraph sentence number {i} explains how careful workshop practice keeps tools sharp."
        for i in range(40)
    )
    + "</p>"
)
JS_ONLY = f"""<html><head><title>App</title></head><body><div id="root"></div>
<noscript>You need to enable JavaScript to run this app.</noscript>
<script>document.getElementById('root').innerHTML =
  '<article><h1>Rendered by script</h1>' + '{ARTICLE}' + '</article>';</script></body></html>"""
PAGES: dict[str, tuple[int, dict[str, str], bytes]] = {
    "/ok": (
        200,
        {},
        f"<html lang='en'><head><title>Fine</title></head><body>{ARTICLE}</body></html>".encode(),
    ),
    "/binary": (200, {"Content-Type": "application/octet-stream"}, bytes(range(256)) * 40),
    "/latin1": (
        200,
        {"Content-Type": "text/html; charset=utf-8"},
        f"<html><body><p>Die Straße, grüße Müller.</p>{ARTICLE}</body></html>".encode("latin-1"),
    ),
    "/js": (200, {}, JS_ONLY.encode()),
    "/challenge": (
        503,
        {},
        b"<html><head><title>Just a moment...</title></head><body>Checking</body></html>",
    ),
    "/challenge200": (
        200,
        {},
        b"<html><head><title>Just a moment...</title></head><body>Checking your browser</body></html>",
    ),
    "/login": (
        200,
        {},
        b"<html><head><title>Sign in</title></head><body><form><input name=u>"
        b"<input type='password' name=p></form>Please log in to continue.</body></html>",
    ),
    "/soft404": (
        200,
        {},
        b"<html><head><title>Page not found</title></head><body>Sorry, this page does"
        b" not exist any more. Try the search.</body></html>",
    ),
    "/empty": (200, {}, b"<html><head><title>Empty</title></head><body><p>Hi</p></body></html>"),
    "/missing": (404, {}, b"<html><body>not here</body></html>"),
    "/private/page": (200, {}, b"<html><body>secret</body></html>"),
}
# A small site for crawl mode: the seed links to a, b and c (and off-site); a links to d.
SITE = {
    "/site/": ["/site/a", "/site/b", "b", "/site/c#top", "http://example.invalid/x", "/logo.png"],
    "/site/a": ["/site/d", "/site/"],
}
BOMB = gzip.compress(b"\0" * 50_000_000, compresslevel=9)


class Web:
    def __init__(
        self,
        hosts: list[str],
        robots: dict[str, str] | None = None,
        sitemaps: dict[str, str] | None = None,
    ) -> None:
        self.log: dict[tuple[str, str], list[float]] = defaultdict(list)
        self.robots, self.sitemaps = robots or {}, sitemaps or {}
        self.in_flight = 0
        self.max_in_flight = 0
        self.lock = threading.Lock()
        self.loopback = Loopback(type("Handler", (_Handler,), {"web": self}), hosts)
        self.port = self.loopback.port

    def url(self, host: str, path: str) -> str:
        return f"http://{host}:{self.port}{path}"

    def hits(self, host: str, path: str) -> list[float]:
        with self.lock:
            return list(self.log[(host, path)])

    def close(self) -> None:
        self.loopback.close()


class _Handler(BaseHTTPRequestHandler):
    web: Web
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def send(self, code: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(code)
        headers = {"Content-Type": "text/html; charset=utf-8", **(headers or {})}
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        host = host_of(self)
        path = self.path.split("?")[0]
        with self.web.lock:
            self.web.log[(host, path)].append(time.monotonic())
            count = len(self.web.log[(host, path)])
        try:
            self.route(host, path, count)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def route(self, host: str, path: str, count: int) -> None:
        if path == "/robots.txt":
            text = self.web.robots.get(host)
            return (
                self.send(200, text.encode(), {"Content-Type": "text/plain"})
                if text
                else self.send(404, b"")
            )
        if path in PAGES:
            code, headers, body = PAGES[path]
            return self.send(code, body, headers)
        if path == "/sitemap.xml" and host in self.web.sitemaps:
            return self.send(
                200, self.web.sitemaps[host].encode(), {"Content-Type": "application/xml"}
            )
        if path.startswith("/site/"):
            links = "".join(f'<a href="{to}">{to}</a> ' for to in SITE.get(path, []))
            return self.send(200, f"<html><body><nav>{links}</nav>{ARTICLE}</body></html>".encode())
        if path.startswith("/page/"):
            return self.send(200, f"<html><body><h1>{path}</h1>{ARTICLE}</body></html>".encode())
        special = {
            "/slow": self.slow,
            "/endless": self.endless,
            "/bomb": self.bomb,
            "/loop-a": lambda: self.redirect("/loop-b"),
            "/loop-b": lambda: self.redirect("/loop-a"),
            "/hop": lambda: self.redirect("/ok"),
            "/retry-after": lambda: self.retry_after(count),
            "/flaky": lambda: self.flaky(count),
            "/always500": lambda: self.send(500, b"broken"),
            "/wait": self.wait,
        }
        special.get(path, lambda: self.send(404, b"no route"))()

    def wait(self) -> None:
        """Answers after half a second, counting how many requests are in flight at once."""
        with self.web.lock:
            self.web.in_flight += 1
            self.web.max_in_flight = max(self.web.max_in_flight, self.web.in_flight)
        time.sleep(0.5)
        with self.web.lock:
            self.web.in_flight -= 1
        self.send(200, f"<html><body>{ARTICLE}</body></html>".encode())

    def redirect(self, to: str) -> None:
        self.send(302, b"", {"Location": to})

    def retry_after(self, count: int) -> None:
        if count == 1:
            return self.send(429, b"slow down", {"Retry-After": "1"})
        self.send(200, f"<html><body>{ARTICLE}</body></html>".encode())

    def flaky(self, count: int) -> None:
        if count <= 2:
            return self.send(503, b"try later")
        self.send(200, f"<html><body>{ARTICLE}</body></html>".encode())

    def slow(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", "100000")
        self.end_headers()
        for _ in range(600):
            self.wfile.write(b" ")
            self.wfile.flush()
            time.sleep(0.5)

    def endless(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        chunk = b"<p>" + b"x" * 65536 + b"</p>"
        for _ in range(100_000):
            self.wfile.write(chunk)

    def bomb(self) -> None:
        self.send(200, BOMB, {"Content-Encoding": "gzip"})
