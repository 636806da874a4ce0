"""Distinct copies of the corpus pages, served on many loopback hosts for the e2e benchmark.

Copy k of a page is its decoded HTML with a short marker word (`c<k>`) after every
`MARK_EVERY` words of visible text (script, style and comments untouched), served as UTF-8.
Every chunk of a copy then differs from the same chunk of another copy by enough word
5-grams to stay below the dedup threshold, and its prompt differs, so neither dedup nor the
factory's LLM cache turns a cycled page into less work than a new one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from bench.common import CORPUS, serve_hosts
from services.spider.decode import to_text

# One marker per 20 words: ~5% more words; the same chunk of two copies shares ~60% of its
# word 5-grams (the refiner drops a chunk as a near duplicate at 80%).
MARK_EVERY = 20
# Scripts without spaces (CJK) count a word per this many characters.
LONG_WORD = 8
_PROTECTED = re.compile(
    r"(<script\b.*?</script\s*>|<style\b.*?</style\s*>|<!--.*?-->)", re.I | re.S
)
_TEXT_NODE = re.compile(r">([^<]+)<")
_WORD = re.compile(r"\S+")


@dataclass(frozen=True)
class Page:
    url: str
    file: str
    html: str


class _Marker:
    """Inserts ` c<k>` after every MARK_EVERY words, counting across text nodes."""

    def __init__(self, copy: int) -> None:
        self.mark, self.count = f" c{copy}", 0

    def word(self, match: re.Match[str]) -> str:
        self.count += max(1, len(match.group(0)) // LONG_WORD)
        if self.count < MARK_EVERY:
            return match.group(0)
        self.count = 0
        return match.group(0) + self.mark

    def node(self, match: re.Match[str]) -> str:
        return ">" + _WORD.sub(self.word, match.group(1)) + "<"


def variant(html: str, copy: int) -> str:
    marker = _Marker(copy)
    parts = _PROTECTED.split(html)
    for i in range(0, len(parts), 2):  # odd parts are the protected ones
        parts[i] = _TEXT_NODE.sub(marker.node, parts[i])
    return "".join(parts)


def cycled_pages(n: int, bases: list[str], first_copy: int = 0) -> list[Page]:
    """`n` pages: the corpus in file order, cycled; page i is on host i mod len(bases)."""
    files = sorted(CORPUS.glob("*.html"))
    decoded = [to_text(path.read_bytes(), "text/html")[0] for path in files]
    pages = []
    for i in range(n):
        cycle, index = divmod(i, len(files))
        copy = first_copy + cycle
        url = f"{bases[i % len(bases)]}/{files[index].name}?copy={copy}"
        pages.append(Page(url, files[index].name, variant(decoded[index], copy)))
    return pages


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    bodies: dict[str, bytes] = {}

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        body = self.bodies.get(f"{parts.path}?{parts.query}")
        if body is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def serve(n_hosts: int) -> tuple[list[str], list[ThreadingHTTPServer], dict[str, bytes]]:
    """Servers on 127.0.1.1.. with one port; returns their base URLs, the servers and the
    (empty) map of `path?query` to body that they serve (a path is unique across hosts)."""
    bodies: dict[str, bytes] = {}
    web = serve_hosts(n_hosts, type("Handler", (_Handler,), {"bodies": bodies}))
    return web.bases, web.servers, bodies


def publish(pages: list[Page], bodies: dict[str, bytes]) -> None:
    for page in pages:
        parts = urlsplit(page.url)
        bodies[f"{parts.path}?{parts.query}"] = page.html.encode()
