"""Bounded decompression and charset detection: a BOM, then the header, the XML declaration
and meta, then detection."""

from __future__ import annotations

import codecs
import re
import zlib

from charset_normalizer import from_bytes

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.I)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_\-:.]+)", re.I)
_XML_CHARSET = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_\-:.]+)""")
# A byte order mark outranks every declaration, as in browsers: servers and editors that
# write one often label the page with a stale charset.
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


class TooLarge(Exception):
    pass


class Undecodable(Exception):
    """A body whose Content-Encoding does not match its bytes (bad gzip, bad deflate)."""


class Decompressor:
    """Inflates gzip/deflate bodies chunk by chunk, refusing to grow past `limit` bytes."""

    def __init__(self, encoding: str, limit: int) -> None:
        encoding = encoding.strip().lower()
        wbits = {
            "gzip": 16 + zlib.MAX_WBITS,
            "x-gzip": 16 + zlib.MAX_WBITS,
            "deflate": zlib.MAX_WBITS,
        }
        self._inflate = zlib.decompressobj(wbits[encoding]) if encoding in wbits else None
        self.limit, self.size = limit, 0

    def feed(self, chunk: bytes) -> bytes:
        if self._inflate is None:
            out = chunk
        else:
            try:
                out = self._inflate.decompress(chunk, self.limit - self.size + 1)
            except zlib.error as exc:
                raise Undecodable(str(exc)) from None
            if self._inflate.unconsumed_tail:
                raise TooLarge(f"decompressed body exceeds {self.limit} bytes")
        self.size += len(out)
        if self.size > self.limit:
            raise TooLarge(f"body exceeds {self.limit} bytes")
        return out


def _codec(name: str) -> str | None:
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _declared(body: bytes, content_type: str) -> list[str]:
    """Declared charsets (BOM, header, XML declaration, then <meta>), then UTF-8."""
    names = [codec for bom, codec in _BOMS if body.startswith(bom)][:1]
    if header := _HEADER_CHARSET.search(content_type):
        names.append(header.group(1))
    inline: list[bytes] = []
    if xml := _XML_CHARSET.match(body[:512]):
        inline.append(xml.group(1))
    if meta := _META_CHARSET.search(body[:4096]):
        inline.append(meta.group(1))
    # A declaration readable as ASCII is not in UTF-16: browsers read such a page as UTF-8.
    found = [_codec(n.decode("ascii", errors="replace")) for n in inline]
    ordered = [_codec(n) for n in names] + [c for c in found if not _wide(c)]
    return [c for c in (*ordered, "utf-8") if c]


def _wide(codec: str | None) -> bool:
    return codec is not None and codec.startswith(("utf-16", "utf-32"))


def _detected(body: bytes) -> list[str]:
    best = from_bytes(body[:200_000]).best()
    names = [best.encoding] if best else []
    names.append("cp1252")  # the web's default for unlabeled legacy pages
    return [c for c in (_codec(n) for n in names) if c]


def to_text(body: bytes, content_type: str) -> tuple[str, str]:
    """Decodes with the first charset that fits the bytes: declared ones, UTF-8, then a
    detected one, so a server lying about UTF-8 gives way to detection (done only then)."""
    declared = _declared(body, content_type)
    for charset in declared:
        try:
            return body.decode(charset), charset
        except (UnicodeDecodeError, LookupError):
            continue
    for charset in _detected(body):
        try:
            return body.decode(charset), charset
        except (UnicodeDecodeError, LookupError):
            continue
    return body.decode(declared[0], errors="replace"), declared[0]
