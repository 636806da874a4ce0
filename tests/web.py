"""The one loopback web of tests and benchmarks: a threaded HTTP server per loopback address,
all on one port, so that each address is a host of its own to the spider."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from functools import partial
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from socketserver import BaseRequestHandler
from types import TracebackType
from typing import Any


class QuietFiles(SimpleHTTPRequestHandler):
    """Serves a folder's files without logging each request."""

    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass


def host_of(request: BaseHTTPRequestHandler) -> str:
    """The loopback address a request came in on, which is the host it was sent to."""
    address = request.server.server_address
    assert isinstance(address, tuple), address
    return str(address[0])


class Loopback:
    def __init__(
        self, handler: Callable[..., BaseRequestHandler], hosts: Sequence[str] = ("127.0.0.1",)
    ) -> None:
        first = ThreadingHTTPServer((hosts[0], 0), handler)
        self.port = int(first.server_address[1])
        self.hosts = list(hosts)
        self.servers = [first] + [ThreadingHTTPServer((h, self.port), handler) for h in hosts[1:]]
        for server in self.servers:
            server.daemon_threads = True
            threading.Thread(target=server.serve_forever, daemon=True).start()

    @classmethod
    def files(cls, folder: Path, hosts: Sequence[str] = ("127.0.0.1",)) -> Loopback:
        return cls(partial(QuietFiles, directory=str(folder)), hosts)

    @property
    def bases(self) -> list[str]:
        """Each host's base URL."""
        return [f"http://{host}:{self.port}" for host in self.hosts]

    def url(self, host: str, path: str) -> str:
        return f"http://{host}:{self.port}{path}"

    def close(self) -> None:
        for server in self.servers:
            server.shutdown()
            server.server_close()

    def __enter__(self) -> Loopback:
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.close()
