"""Staged rows, export records, splits and the staging area's merge."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import orjson

from services.shipper import columns, staging
from services.shipper.records import body, key, point, row, splits_at, staged_line
from tests.shipper.samples import examples, scored


def exported(i: int, **kw: Any) -> dict[str, Any]:
    """The record as JSON Lines hold it: rendered at staging."""
    loaded: dict[str, Any] = orjson.loads(row(scored(i, **kw), 0.7)["record"])
    return loaded


def test_every_record_says_where_it_came_from_and_how_it_scored() -> None:
    r = exported(7)
    meta = r["metadata"]
    assert isinstance(meta, dict)
    assert (meta["source_url"], meta["document_id"], meta["chunk_id"]) == (
        "http://site1.test/page1",
        "doc1",
        "c2",
    )
    assert (meta["model"], meta["quality_score"], meta["scores"]) == (
        "gpt-4o-mini",
        0.95,
        {"format": 1.0, "readability": 0.9},
    )
    assert r["fields"] == {"question": "Question 7?", "answer": "Answer 7."}
    assert "rejected_because" not in meta


def test_a_rejected_record_keeps_its_reasons() -> None:
    meta = exported(3, passed=False)["metadata"]
    assert isinstance(meta, dict)
    assert meta["rejected_because"] == ["hard_to_read(flesch=12)", "score 0.40 < 0.70"]


def test_a_staged_row_names_its_rejection_kinds_and_the_checks_below_the_threshold() -> None:
    staged = row(scored(3, passed=False), min_score=0.7)
    assert staged["kinds"] == ["hard_to_read", "score"] and staged["below"] == ["readability"]
    assert staged["domain"] == "site1.test" and 0 <= staged["point"] < 1
    assert orjson.loads(staged["metadata"]) == exported(3, passed=False)["metadata"]


def test_a_staged_line_carries_the_id_and_the_row_unchanged() -> None:
    item = scored(5, passed=False, text="tab\there\nand newline")
    line = staged_line(item, 0.7)
    assert line.count(b"\n") == 1 and key(line) == b"ex000005"
    assert orjson.loads(body(line)) == row(item, 0.7)


def test_a_document_lands_in_one_split_and_splits_follow_their_shares() -> None:
    shares = {"train": 0.8, "validation": 0.1, "test": 0.1}
    points = [point(f"doc{i}") for i in range(5000)]
    chosen = Counter(splits_at(points, shares))  # type: ignore[arg-type]
    assert 3800 < chosen["train"] < 4200 and 350 < chosen["test"] < 650
    assert point("doc7") == point("doc7")
    assert set(splits_at(points[:50], {"test": 1.0})) == {"test"}


def ids(tmp_path: Path) -> list[str]:
    return [i for table in columns.read(tmp_path, "j") for i in table["id"].to_pylist()]


def test_staged_batches_read_back_once_each_in_id_order(tmp_path: Path) -> None:
    items = examples(40)
    staging.append(tmp_path, "j", "2-0", items[10:], 0.7)
    staging.append(tmp_path, "j", "1-0", items[:25], 0.7)  # redelivered: 10..24 staged twice
    staging.append(tmp_path, "j", "3-0", items[5:6], 0.7)
    assert ids(tmp_path) == [f"ex{i:06d}" for i in range(40)]
    assert [p.name for p in staging.folder(tmp_path, "j").iterdir()] == [staging.COLUMNS]
    assert ids(tmp_path) == [f"ex{i:06d}" for i in range(40)], "read again, the same"


def test_many_batches_merge_in_rounds_of_a_few_open_files(tmp_path: Path) -> None:
    items = examples(columns.FAN_IN * 3)
    for i, item in enumerate(items):
        staging.append(tmp_path, "j", f"{i % (columns.FAN_IN * 2 + 5)}-{i}", [item], 0.7)
    assert len(ids(tmp_path)) == len(items)


def test_a_late_copy_of_a_staged_batch_changes_nothing_once_columns_exist(tmp_path: Path) -> None:
    items = examples(10)
    staging.append(tmp_path, "j", "1-0", items, 0.7)
    before = ids(tmp_path)
    staging.append(tmp_path, "j", "9-0", items[3:5], 0.7)  # a replica that was thought dead
    assert ids(tmp_path) == before


def test_staged_columns_come_in_chunks_of_a_bounded_size(tmp_path: Path) -> None:
    staging.append(tmp_path, "j", "1-0", examples(50), 0.7)
    sizes = [t.num_rows for t in columns.read(tmp_path, "j")]
    assert sizes == [50] and columns.CHUNK >= 50


def test_a_job_with_nothing_staged_reads_empty(tmp_path: Path) -> None:
    assert list(columns.read(tmp_path, "nothing")) == []


def test_a_passed_record_carries_warnings_never_rejected_because() -> None:
    warned = scored(7).model_copy(update={"warnings": ["hard_to_read(flesch=30)"]})
    meta = orjson.loads(row(warned, 0.7)["record"])["metadata"]
    assert meta["warnings"] == ["hard_to_read(flesch=30)"] and "rejected_because" not in meta
    # A log written before warnings kept them among a passed example's reasons.
    old = scored(7).model_copy(update={"reasons": ["not_a_question"]})
    meta = orjson.loads(row(old, 0.7)["record"])["metadata"]
    assert meta["warnings"] == ["not_a_question"] and "rejected_because" not in meta
    assert "warnings" not in exported(7)["metadata"]
