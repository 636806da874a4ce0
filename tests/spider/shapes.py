"""Page shapes: a real corpus page re-encoded or wrapped as servers send XHTML, BOMs, UTF-16
and legacy charsets, each with the Content-Type it is served with."""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable
from dataclasses import dataclass

_CHARSET_META = re.compile(r"<meta[^>]*charset[^>]*>", re.I)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>\s*", re.I)
_HEAD = re.compile(r"<head[^>]*>", re.I)
_XHTML = 'xmlns="http://www.w3.org/1999/xhtml"'


@dataclass(frozen=True)
class Served:
    body: bytes
    content_type: str


def bare(page: str) -> str:
    """The page with its own charset declarations removed, so a shape sets the only ones."""
    return _CHARSET_META.sub("", _XML_DECL.sub("", page))


def _meta(page: str, charset: str) -> str:
    tag = f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">'
    head = _HEAD.search(page)
    return page[: head.end()] + tag + page[head.end() :] if head else tag + page


def _decl(charset: str) -> str:
    return f'<?xml version="1.0" encoding="{charset}"?>\n'


def _legacy(page: str, charset: str) -> bytes:
    # Characters the charset lacks become references, as legacy servers' pages hold them.
    return page.encode(charset, errors="xmlcharrefreplace")


def _html(charset: str = "") -> str:
    return f"text/html; charset={charset}" if charset else "text/html"


def _xhtml(page: str) -> str:
    return page.replace("<html", f"<html {_XHTML}", 1) if _XHTML not in page else page


SHAPES: dict[str, Callable[[str], Served]] = {
    "xhtml_utf8_declared": lambda p: Served(
        (_decl("utf-8") + _xhtml(p)).encode(), "application/xhtml+xml"
    ),
    "xhtml_declared_as_text_html": lambda p: Served((_decl("UTF-8") + p).encode(), _html()),
    "xhtml_declared_charset_header": lambda p: Served(
        (_decl("utf-8") + p).encode(), _html("utf-8")
    ),
    "utf8_bom": lambda p: Served(codecs.BOM_UTF8 + p.encode(), _html()),
    "utf8_bom_declared": lambda p: Served(codecs.BOM_UTF8 + (_decl("utf-8") + p).encode(), _html()),
    "utf8_bom_header_says_latin1": lambda p: Served(
        codecs.BOM_UTF8 + p.encode(), _html("iso-8859-1")
    ),
    "utf16le_bom": lambda p: Served(codecs.BOM_UTF16_LE + p.encode("utf-16-le"), _html()),
    "utf16be_bom": lambda p: Served(codecs.BOM_UTF16_BE + p.encode("utf-16-be"), _html()),
    "utf16_bom_declared": lambda p: Served((_decl("UTF-16") + p).encode("utf-16"), _html()),
    "utf16le_header": lambda p: Served(p.encode("utf-16-le"), _html("utf-16le")),
    "windows1252_meta": lambda p: Served(_legacy(_meta(p, "windows-1252"), "cp1252"), _html()),
    "windows1252_declared": lambda p: Served(
        _legacy(_decl("windows-1252") + p, "cp1252"), "application/xhtml+xml"
    ),
    "shift_jis_header": lambda p: Served(_legacy(p, "shift_jis"), _html("Shift_JIS")),
    "shift_jis_meta_declared": lambda p: Served(
        _legacy(_decl("shift_jis") + _meta(p, "shift_jis"), "shift_jis"), _html()
    ),
    "koi8r_meta": lambda p: Served(_legacy(_meta(p, "koi8-r"), "koi8_r"), _html()),
    "koi8r_header": lambda p: Served(_legacy(p, "koi8_r"), _html("KOI8-R")),
}


def shaped(page: str, shape: str) -> Served:
    return SHAPES[shape](bare(page))
