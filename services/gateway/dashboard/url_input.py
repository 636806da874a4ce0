"""URL lists from the new-job form: pasted lines, or an uploaded .txt or .csv file."""

from __future__ import annotations

import csv
import io

MAX_UPLOAD_BYTES = 1_000_000  # about 10,000 URLs, the most one job takes
SUFFIXES = (".txt", ".csv")


class UploadRefused(ValueError):
    """The file cannot be read as a URL list; the message says why."""


def from_text(text: str) -> list[str]:
    """One URL a line; blank lines and `#` comments are left out."""
    lines = (line.strip() for line in text.splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def _from_csv(text: str) -> list[str]:
    """A column named url (any case) if the header has one, else each row's first cell."""
    rows = [row for row in csv.reader(io.StringIO(text)) if any(cell.strip() for cell in row)]
    if not rows:
        return []
    header = [cell.strip().lower() for cell in rows[0]]
    if "url" in header:
        column = header.index("url")
        return [
            row[column].strip() for row in rows[1:] if len(row) > column and row[column].strip()
        ]
    return [row[0].strip() for row in rows if row[0].strip()]


def from_file(name: str, data: bytes) -> list[str]:
    """The URLs of an uploaded file; refuses a file too large, of another kind, or not UTF-8."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise UploadRefused(
            f"{name}: {len(data):,} bytes is more than the {MAX_UPLOAD_BYTES:,} a URL list may have"
        )
    if not name.lower().endswith(SUFFIXES):
        raise UploadRefused(f"{name}: only .txt (one URL a line) or .csv files are read")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UploadRefused(f"{name}: not UTF-8 text (byte {exc.start})") from None
    return _from_csv(text) if name.lower().endswith(".csv") else from_text(text)
