"""What a pool worker does for one page: read the stored HTML, refine it, store its text.

File I/O happens here rather than on the stage's event loop: the loop then never holds a
page, and the files cost the worker microseconds where thread hand-offs cost the loop more.
"""

from __future__ import annotations

from pathlib import Path

from services.refiner import logic
from shared.config import ProcessingConfig

# Larger pages are not articles; parsing one would hold a worker and its memory for seconds.
MAX_HTML_BYTES = 8_000_000


def read_html(path: Path) -> str | logic.Document:
    """The stored page as text, or the failed document when it cannot be had."""
    try:
        if path.stat().st_size > MAX_HTML_BYTES:
            return logic.Document(
                "", "none", None, failure="too_large", detail=f"over {MAX_HTML_BYTES} bytes"
            )
        return path.read_bytes().decode("utf-8", errors="replace")
    except OSError as exc:
        return logic.Document("", "none", None, failure="html_missing", detail=repr(exc))


def refine_page(
    html_path: Path, text_path: Path, declared: str | None, config: ProcessingConfig
) -> logic.Document:
    html = read_html(html_path)
    if isinstance(html, logic.Document):
        return html
    doc = logic.refine(html, declared, config)
    if not doc.failure:
        text_path.parent.mkdir(parents=True, exist_ok=True)
        text_path.write_text(doc.text, "utf-8")
    return doc
