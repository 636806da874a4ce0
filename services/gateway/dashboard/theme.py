"""The dashboard's design language: dark HUD, cyan accent, orange cost, glass, local fonts."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from nicegui import app, ui

BACKGROUND = "#0a0a0f"
CYAN = "#00d4ff"
ORANGE = "#ff9f1c"
GREEN = "#3ee6a0"
RED = "#ff4d6d"
MUTED = "#6f8398"
TEXT = "#d6e4f0"
SURFACE = "#0f1824"  # opaque panels: dialogs, menus, notifications

STATUS_COLORS = {
    "pending": MUTED,
    "running": CYAN,
    "completed": GREEN,
    "cancelled": ORANGE,
    "failed": RED,
}

FONTS_DIR = Path(__file__).with_name("fonts")
FONTS_URL = "/fonts"
# (family, file, weight): the woff2 files shipped beside this module, never a CDN.
FACES = (
    ("Inter", "Inter-Regular", 400),
    ("Inter", "Inter-Medium", 500),
    ("Inter", "Inter-SemiBold", 600),
    ("Inter", "Inter-Bold", 700),
    ("JetBrains Mono", "JetBrainsMono-Regular", 400),
    ("JetBrains Mono", "JetBrainsMono-Bold", 700),
)
MONO = '"JetBrains Mono", ui-monospace, Menlo, Consolas, monospace'
SANS = 'Inter, system-ui, -apple-system, "Segoe UI", Roboto, sans-serif'


def _font_faces() -> str:
    return "\n".join(
        f'@font-face {{ font-family: "{family}"; font-weight: {weight}; font-style: normal;'
        f' font-display: swap; src: url("{FONTS_URL}/{name}.woff2") format("woff2"); }}'
        for family, name, weight in FACES
    )


def install() -> None:
    """Serves the fonts and adds the stylesheet to every page; call once per process."""
    app.add_static_files(FONTS_URL, FONTS_DIR, max_cache_age=86400)
    css = (Path(__file__).with_name("theme.css")).read_text(encoding="utf-8")
    ui.add_css(_font_faces() + "\n" + _variables() + "\n" + css, shared=True)


def _variables() -> str:
    pairs = {
        "cyan": CYAN,
        "orange": ORANGE,
        "green": GREEN,
        "red": RED,
        "muted": MUTED,
        "bg": BACKGROUND,
        "text": TEXT,
        "mono": MONO,
        "sans": SANS,
    }
    return ":root { " + " ".join(f"--df-{k}: {v};" for k, v in pairs.items()) + " }"


def colors() -> None:
    """Quasar's brand colours as the palette, so no button, toggle, field or notification
    falls back to Quasar's own blue, green or yellow; called on every page."""
    ui.colors(
        primary=CYAN,
        secondary=MUTED,
        accent=CYAN,
        dark=SURFACE,
        dark_page=BACKGROUND,
        positive=GREEN,
        negative=RED,
        info=CYAN,
        warning=ORANGE,
    )


def label(text: str, *classes: str) -> ui.label:
    return ui.label(text).classes(" ".join(("df-label", *classes)))


def number(text: str, *classes: str) -> ui.label:
    return ui.label(text).classes(" ".join(("df-num", *classes)))


def badge(status: str) -> ui.label:
    color = STATUS_COLORS.get(status, MUTED)
    return ui.label(status).classes("df-hex").style(f"background: {color}")


def usd(value: float) -> str:
    """Cents when that is exact enough; fractions of a cent to four significant places."""
    if value == 0:
        return "$0"
    if value >= 1 or round(value, 2) == value:
        return f"${value:,.2f}"
    return f"${value:.4g}" if value >= 0.0001 else "<$0.0001"


def plural(n: int, word: str, words: str = "") -> str:
    """`1 job`, `2 jobs`, `1,000 entries`."""
    return f"{n:,} {word if n == 1 else (words or word + 's')}"


def ago(iso: str | None, now: datetime | None = None) -> str:
    """An ISO time as people say it: `just now`, `5 min ago`, `3 h ago`, `2 days ago`, then
    the date."""
    if not iso:
        return "—"
    try:
        then = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    then = then if then.tzinfo else then.replace(tzinfo=UTC)
    seconds = ((now or datetime.now(UTC)) - then).total_seconds()
    if seconds < 45:
        return "just now"
    for unit, size in (("min", 60), ("h", 3600)):
        if seconds < size * (60 if unit == "min" else 24):
            return f"{round(seconds / size)} {unit} ago"
    days = round(seconds / 86400)
    return plural(days, "day") + " ago" if days < 30 else then.date().isoformat()


def moment(text: str, iso: str | None, *classes: str) -> ui.label:
    """`text` followed by how long ago `iso` was; the exact time is the hover title."""
    found = number(f"{text} {ago(iso)}".strip(), *classes)
    if iso:
        found.props(f'title="{iso}"')
    return found


def size(n_bytes: int | None) -> str:
    if n_bytes is None:
        return "—"
    value = float(n_bytes)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:,.0f} {unit}" if unit == "B" else f"{value:,.1f} {unit}"
        value /= 1024
    return f"{value:,.1f} GB"
