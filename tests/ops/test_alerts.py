"""The shipped alerting rules parse as PromQL and name only series that /metrics serves."""

from __future__ import annotations

import re
from pathlib import Path

import promql_parser
import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from services.gateway.api.metrics import render
from shared.ops.snapshot import Snapshot, StageFigures
from shared.ops.stream_figures import Behind, GroupFigures, StreamFigures
from shared.ops.totals import FactoryTotals

RULES = Path(__file__).resolve().parents[2] / "deploy" / "prometheus" / "alerts.yaml"


def served_series() -> set[str]:
    """Every sample name /metrics renders for a snapshot with one figure of each kind."""
    buckets = ((1.0, 1), (float("inf"), 1))
    snap = Snapshot(
        taken_at=0.0,
        streams=[StreamFigures("df:refiner", 3, 1)],
        groups=[GroupFigures("df:refiner", "refiner", 2, 1, 1)],
        stages=[StageFigures("refiner", 1, 5, 1, 5, 0.5, buckets)],
        llm={"gpt-4o-mini": FactoryTotals(calls=1)},
        projector=[Behind("df:events", 0, 0.0)],
    )
    text = render(snap).decode()
    return {s.name for family in text_string_to_metric_families(text) for s in family.samples}


def test_every_alert_watches_series_the_gateway_serves() -> None:
    rules = yaml.safe_load(RULES.read_text())["groups"][0]["rules"]
    served = served_series()
    assert len(rules) >= 8
    for rule in rules:
        assert rule["alert"].startswith("DataFactory") and rule["annotations"]["summary"]
        assert rule["labels"]["severity"] in ("warning", "critical")
        promql_parser.parse(rule["expr"])  # raises ValueError on a syntax error
        named = set(re.findall(r"\bdatafactory_\w+", rule["expr"]))
        assert named and named <= served, f"{rule['alert']}: {named - served}"


def test_the_promql_check_catches_a_broken_expression() -> None:
    with pytest.raises(ValueError):
        promql_parser.parse("rate(datafactory_stage_items_total[5m) > 0")
