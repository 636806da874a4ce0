"""Test pages for the refiner: articles made of real corpus paragraphs, edits, PageFetched."""

from __future__ import annotations

import functools
import html
from pathlib import Path

from services.refiner.extract import extract
from shared.contract.events import PageFetched
from tests.factories import page, raw_key

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "web"
SOURCES = {
    "en": "3ac1baec4aecedbb.html",
    "de": "35ad5b9601d3d0e7.html",
    "fr": "893ed68e771e26ef.html",
}


@functools.cache
def paragraphs(language: str) -> tuple[str, ...]:
    """Long prose paragraphs of a corpus article in `language`."""
    text = extract((CORPUS / SOURCES[language]).read_text("utf-8", errors="replace")).text
    return tuple(p for p in text.split("\n") if len(p) > 200 and not p.startswith(("#", "-")))


def article(body: list[str], lang: str = "en", title: str = "A report") -> str:
    """A page with site furniture around an article of `body` paragraphs."""
    paras = "\n".join(f"<p>{html.escape(p)}</p>" for p in body)
    return (
        f'<!doctype html><html lang="{lang}"><head><title>{title}</title></head><body>'
        '<nav><a href="/">Home</a> <a href="/about">About</a></nav>'
        f"<article><h1>{html.escape(title)}</h1>{paras}</article>"
        "<footer>Impressum · Datenschutz · All rights reserved</footer></body></html>"
    )


def edited(body: list[str], every: int = 150) -> list[str]:
    """The paragraphs with one word in every `every` replaced: a near-duplicate."""
    out, seen = [], 0
    for para in body:
        words = para.split(" ")
        for i in range(len(words)):
            seen += 1
            if seen % every == 0:
                words[i] = "altered"
        out.append(" ".join(words))
    return out


def fetched(
    path: Path,
    job: str = "job",
    name: str = "page",
    project: str | None = None,
    language: str | None = None,
) -> PageFetched:
    """The page at http://site.test/<name>, stored in the page file `path`."""
    return page(name, raw_key(path), job, project_id=project, language=language)
