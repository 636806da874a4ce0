"""Pure HTTP/1.1 message heads for the egress proxy: parse a request, rewrite for one hop."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

# Headers about the connection they came on, never forwarded (RFC 9110 7.6.1), plus the
# proxy's own; the proxy speaks `Connection: close` on both sides instead.
_HOP = {
    b"connection",
    b"proxy-connection",
    b"keep-alive",
    b"proxy-authorization",
    b"proxy-authenticate",
    b"te",
    b"trailer",
    b"upgrade",
}
MAX_BODY = 1_000_000


@dataclass(frozen=True)
class Request:
    method: str
    target: str
    headers: list[tuple[bytes, bytes]]

    @property
    def tunnel(self) -> bool:
        return self.method == "CONNECT"

    def header(self, name: bytes) -> bytes | None:
        return next((v for k, v in self.headers if k.lower() == name), None)


def _fields(lines: list[bytes]) -> list[tuple[bytes, bytes]]:
    fields = []
    for line in lines:
        name, sep, value = line.partition(b":")
        if not sep or not name or name != name.strip():
            raise ValueError(f"bad header line {line[:80]!r}")
        fields.append((name, value.strip()))
    return fields


def parse_request(head: bytes) -> Request:
    """The request in `head` (ending with an empty line); raises ValueError when malformed."""
    first, *lines = head.rstrip(b"\r\n").split(b"\r\n")
    method, target, version = first.decode("latin-1").split(" ")
    if not version.startswith("HTTP/1."):
        raise ValueError(f"unsupported version {version!r}")
    return Request(method, target, _fields(lines))


def destination(request: Request) -> tuple[str, int]:
    """Host and port the request is for: `host:port` of a CONNECT, else its absolute URL."""
    if request.tunnel:
        host, _, port = request.target.rpartition(":")
        return host.strip("[]"), int(port)
    parts = urlsplit(request.target)
    if parts.scheme != "http" or not parts.hostname:
        raise ValueError(f"not an absolute http URL: {request.target[:200]!r}")
    return parts.hostname, parts.port or 80


def body_length(request: Request) -> int:
    if request.header(b"transfer-encoding") is not None:
        raise ValueError("chunked request bodies are not forwarded")
    length = int(request.header(b"content-length") or 0)
    if not 0 <= length <= MAX_BODY:
        raise ValueError(f"request body of {length} bytes")
    return length


def origin_form(request: Request) -> bytes:
    """The request as the origin server must see it: path only, one request, then close."""
    parts = urlsplit(request.target)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    kept = [(k, v) for k, v in request.headers if k.lower() not in _HOP]
    if request.header(b"host") is None:
        kept.insert(0, (b"Host", parts.netloc.encode("latin-1")))
    return _head(f"{request.method} {path} HTTP/1.1".encode("latin-1"), kept)


def closing_response(head: bytes) -> bytes:
    """An upstream response head told to close after its body, so the browser does not send
    another request down a connection the proxy has pinned to this host."""
    first, *lines = head.rstrip(b"\r\n").split(b"\r\n")
    kept = [(k, v) for k, v in _fields(lines) if k.lower() not in _HOP]
    return _head(first, kept)


def _head(first: bytes, fields: list[tuple[bytes, bytes]]) -> bytes:
    lines = [first, *(k + b": " + v for k, v in fields), b"Connection: close", b"", b""]
    return b"\r\n".join(lines)


def refusal(reason: str) -> bytes:
    body = f"refused by the spider's egress guard: {reason}\n".encode()
    fields = [
        (b"Content-Type", b"text/plain"),
        (b"Content-Length", str(len(body)).encode()),
        (b"X-Egress-Refused", reason.encode("latin-1", errors="replace")),
    ]
    return _head(b"HTTP/1.1 403 Forbidden", fields) + body
