"""What a pool worker does for one page: decode the stored HTML and refine it.

The stage reads the page from storage and writes its text (async I/O costs its loop next to
nothing); the worker gets bytes and gives back the document, so it holds no storage client.
"""

from __future__ import annotations

from services.refiner import logic
from shared.contract.config import ProcessingConfig

# Larger pages are not articles; parsing one would hold a worker and its memory for seconds.
MAX_HTML_BYTES = 8_000_000


def refine_page(html: bytes, declared: str | None, config: ProcessingConfig) -> logic.Document:
    return logic.refine(html.decode("utf-8", errors="replace"), declared, config)
