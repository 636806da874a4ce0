"""Export records, formats and the dataset card."""

from __future__ import annotations

import csv
import io
import json

from services.shipper.card import card
from services.shipper.records import record, render
from shared.config import JobConfig
from shared.events import ExampleGenerated, ExampleScored


def scored(i: int, passed: bool = True, simulated: bool = False) -> ExampleScored:
    ex = ExampleGenerated(
        event_id=f"ex{i}",
        job_id="j",
        chunk_id=f"c{i}",
        document_id="d",
        url=f"http://s/{i % 2}",
        template="qa",
        input=f"q{i}, with a comma",
        output=f"a{i}\nline two",
        model="gpt-4o-mini",
        prompt_tokens=10,
        completion_tokens=5,
        cost_usd=0.001,
        simulated=simulated,
    )
    return ExampleScored(
        event_id=f"s{i}",
        job_id="j",
        example=ex,
        scores={"format": 1.0},
        score=0.9 if passed else 0.2,
        passed=passed,
        reasons=[] if passed else ["score 0.20 < 0.70"],
    )


def test_every_record_says_where_it_came_from() -> None:
    r = record(scored(1))
    assert r["metadata"]["source_url"] == "http://s/1"
    assert (r["metadata"]["chunk_id"], r["metadata"]["document_id"]) == ("c1", "d")


def test_formats_round_trip() -> None:
    records = [record(scored(i)) for i in range(3)]
    assert [json.loads(line) for line in render(records, "jsonl").splitlines()] == records
    assert json.loads(render(records, "json")) == records
    rows = list(csv.DictReader(io.StringIO(render(records, "csv"))))
    assert [row["input"] for row in rows] == [
        "q0, with a comma",
        "q1, with a comma",
        "q2, with a comma",
    ]
    assert rows[0]["output"] == "a0\nline two"


def test_card_counts_sources_rejections_and_flags_the_simulator() -> None:
    items = [scored(0), scored(1), scored(2, passed=False, simulated=True)]
    text = card("j", "v1", JobConfig(), items)
    assert "**2** passed" in text and "1 rejected" in text
    assert "| http://s/0 | 1 |" in text and "| http://s/1 | 1 |" in text
    assert "score 0.20 < 0.70" in text
    assert "simulator" in text
