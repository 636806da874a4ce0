"""The dashboard's design language: dark HUD, cyan accent, orange cost, glass panels."""

from __future__ import annotations

from nicegui import ui

BACKGROUND = "#0a0a0f"
CYAN = "#00d4ff"
ORANGE = "#ff9f1c"
GREEN = "#3ee6a0"
MUTED = "#6f8398"

STATUS_COLORS = {"pending": MUTED, "running": CYAN, "completed": GREEN, "cancelled": ORANGE}

# Local fonts only (the machine may be offline): JetBrains Mono and Inter when installed.
CSS = f"""
:root {{ --df-cyan: {CYAN}; --df-orange: {ORANGE}; --df-bg: {BACKGROUND}; }}
body, .q-page, .nicegui-content {{
  background: radial-gradient(ellipse at 50% -20%, #10233a 0%, {BACKGROUND} 55%) fixed;
  background-color: {BACKGROUND};
  color: #d6e4f0;
  font-family: Inter, system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
}}
.df-glass {{
  background: rgba(14, 22, 34, 0.55);
  backdrop-filter: blur(14px); -webkit-backdrop-filter: blur(14px);
  border: 1px solid rgba(0, 212, 255, 0.28); border-radius: 10px;
  box-shadow: 0 0 18px rgba(0, 212, 255, 0.12), inset 0 0 14px rgba(0, 212, 255, 0.05);
}}
.df-num {{
  font-family: "JetBrains Mono", ui-monospace, SFMono-Regular, Menlo, Consolas,
    "Liberation Mono", monospace;
  font-variant-numeric: tabular-nums;
}}
.df-label {{ text-transform: uppercase; letter-spacing: .14em; font-size: .68rem; color: {MUTED}; }}
.df-accent {{ color: {CYAN}; text-shadow: 0 0 10px rgba(0, 212, 255, .45); }}
.df-cost {{ color: {ORANGE}; text-shadow: 0 0 10px rgba(255, 159, 28, .35); }}
.df-bracket {{ position: relative; padding: 0 14px; }}
.df-bracket::before, .df-bracket::after {{
  content: ""; position: absolute; top: 0; bottom: 0; width: 8px;
  border: 1px solid rgba(0, 212, 255, .6);
}}
.df-bracket::before {{ left: 0; border-right: none; }}
.df-bracket::after {{ right: 0; border-left: none; }}
.df-hex {{
  clip-path: polygon(12% 0, 88% 0, 100% 50%, 88% 100%, 12% 100%, 0 50%);
  padding: 2px 14px; font-size: .72rem; letter-spacing: .08em; text-transform: uppercase;
  color: {BACKGROUND}; font-weight: 600;
}}
.df-running .q-linear-progress__model {{ animation: df-pulse 1.6s ease-in-out infinite; }}
@keyframes df-pulse {{ 50% {{ filter: brightness(1.6) drop-shadow(0 0 4px {CYAN}); }} }}
.df-scan {{
  background: repeating-linear-gradient(0deg, rgba(0, 212, 255, .04) 0 1px, transparent 1px 3px);
}}
"""


def install() -> None:
    """Adds the stylesheet to every page; call once per process."""
    ui.add_css(CSS, shared=True)


def header(title: str) -> None:
    with ui.row().classes("w-full items-center justify-between df-glass df-scan px-6 py-3"):
        with ui.row().classes("items-center gap-3"):
            ui.label("◢ AI DATA FACTORY").classes("text-lg font-bold df-accent df-num")
            ui.label(title).classes("df-bracket df-label")
        ui.label("LIVE").classes("df-label df-accent")


def label(text: str) -> None:
    ui.label(text).classes("df-label")


def number(text: str, *classes: str) -> None:
    ui.label(text).classes(" ".join(("df-num", *classes)))


def badge(status: str) -> None:
    color = STATUS_COLORS.get(status, MUTED)
    ui.label(status).classes("df-hex").style(f"background: {color}")


def usd(value: float) -> str:
    return f"${value:,.4f}" if value < 100 else f"${value:,.2f}"
