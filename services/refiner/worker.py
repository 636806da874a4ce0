"""What a pool worker does for one page: read the stored HTML, refine it, store its text.

Storage I/O happens here rather than on the stage's event loop: the loop then never holds a
page, and a read costs the worker less than thread hand-offs would cost the loop.
"""

from __future__ import annotations

from services.refiner import logic
from shared.config import ProcessingConfig
from shared.storage.blobs import Storage, TooLarge

# Larger pages are not articles; parsing one would hold a worker and its memory for seconds.
MAX_HTML_BYTES = 8_000_000


def read_html(storage: Storage, key: str) -> str | logic.Document:
    """The stored page as text, or the failed document when it cannot be had."""
    try:
        html = storage.get(key, limit=MAX_HTML_BYTES)
    except TooLarge:
        return logic.Document(
            "", "none", None, failure="too_large", detail=f"over {MAX_HTML_BYTES} bytes"
        )
    except OSError as exc:
        return logic.Document("", "none", None, failure="html_missing", detail=repr(exc))
    return html.decode("utf-8", errors="replace")


def refine_page(
    storage: Storage, html_key: str, text_key: str, declared: str | None, config: ProcessingConfig
) -> logic.Document:
    html = read_html(storage, html_key)
    if isinstance(html, logic.Document):
        return html
    doc = logic.refine(html, declared, config)
    if not doc.failure:
        storage.put(text_key, doc.text.encode())
    return doc
