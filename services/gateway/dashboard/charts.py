"""ECharts options for the dashboard's charts, in the theme's colours; pure functions."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

from services.gateway.dashboard import theme
from services.gateway.queries.stat_models import CostStats

_AXIS = {
    "axisLine": {"lineStyle": {"color": "rgba(111,131,152,.5)"}},
    "axisLabel": {"color": theme.MUTED, "fontFamily": "JetBrains Mono"},
    "splitLine": {"lineStyle": {"color": "rgba(111,131,152,.12)"}},
}
_BASE: dict[str, Any] = {
    "backgroundColor": "transparent",
    "textStyle": {"fontFamily": "Inter", "color": theme.TEXT},
    "tooltip": {
        "trigger": "axis",
        "backgroundColor": "#0f1824",
        "borderColor": theme.CYAN,
        "textStyle": {"color": theme.TEXT},
    },
    "grid": {"left": 56, "right": 16, "top": 28, "bottom": 28},
}
STAGE_COLORS = {"factory": theme.CYAN, "inspector": theme.ORANGE}


def cost_bars(stats: CostStats) -> dict[str, Any]:
    """Spending per day, stacked by stage (generation and the LLM judge)."""
    days = [d.day for d in stats.by_day]
    stages = sorted({c.stage for c in stats.cells}) or ["factory"]
    series = []
    for stage in stages:
        per_day = {c.day: 0.0 for c in stats.by_day}
        for cell in stats.cells:
            if cell.stage == stage:
                per_day[cell.day] = per_day.get(cell.day, 0.0) + cell.cost_usd
        series.append(
            {
                "name": stage,
                "type": "bar",
                "stack": "cost",
                "barWidth": "46%",
                "itemStyle": {
                    "color": STAGE_COLORS.get(stage, theme.GREEN),
                    "borderRadius": [3, 3, 0, 0],
                },
                "data": [round(per_day.get(day, 0.0), 6) for day in days],
            }
        )
    return _BASE | {
        "legend": {"textStyle": {"color": theme.MUTED}, "right": 8, "top": 0},
        "xAxis": {"type": "category", "data": [d[5:] for d in days], **_AXIS},
        "yAxis": {"type": "value", "name": "$", **_AXIS},
        "series": series,
    }


def quality_donut(passed: int, rejected: int) -> dict[str, Any]:
    """Passed against rejected; with nothing judged yet, an empty grey ring, not a 50/50."""
    judged = passed + rejected
    share = f"{passed / judged:.0%}" if judged else "—"
    data = [
        {"name": "passed", "value": passed, "itemStyle": {"color": theme.CYAN}},
        {"name": "rejected", "value": rejected, "itemStyle": {"color": theme.ORANGE}},
    ]
    empty = [{"name": "nothing scored yet", "value": 1, "itemStyle": {"color": "#1c2a3a"}}]
    return _BASE | {
        "tooltip": {
            "trigger": "item",
            "backgroundColor": "#0f1824",
            "textStyle": {"color": theme.TEXT},
        },
        "title": {
            "text": share,
            "subtext": "passed" if judged else "nothing scored yet",
            "left": "center",
            "top": "38%",
            "textStyle": {"color": theme.CYAN, "fontFamily": "JetBrains Mono", "fontSize": 22},
            "subtextStyle": {"color": theme.MUTED},
        },
        "series": [
            {
                "type": "pie",
                "radius": ["58%", "78%"],
                "label": {"show": False},
                "itemStyle": {"borderColor": theme.BACKGROUND, "borderWidth": 2},
                "silent": not judged,
                "data": data if judged else empty,
            }
        ],
    }


def score_histogram(edges: list[float], passed: list[int], rejected: list[int]) -> dict[str, Any]:
    """Examples per score bin, passed and rejected stacked; a bin is named by its range, so a
    0.80 score is counted under "0.8-0.9"."""
    labels = [f"{low:.1f}-{high:.1f}" for low, high in pairwise(edges)]
    bars = [("passed", passed, theme.CYAN), ("rejected", rejected, theme.ORANGE)]
    return _BASE | {
        "legend": {"textStyle": {"color": theme.MUTED}, "right": 8, "top": 0},
        "xAxis": {"type": "category", "data": labels, "name": "score", **_AXIS},
        "yAxis": {"type": "value", "minInterval": 1, **_AXIS},
        "series": [
            {"name": name, "type": "bar", "stack": "n", "data": data, "itemStyle": {"color": color}}
            for name, data, color in bars
        ],
    }
