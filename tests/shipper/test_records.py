"""Export records, staged lines, splits and the staging area's merge."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import orjson

from services.shipper import staging
from services.shipper.records import key, record, split_of, staged_line, unpack
from tests.shipper.samples import examples, scored


def test_every_record_says_where_it_came_from_and_how_it_scored() -> None:
    meta = record(scored(7))["metadata"]
    assert (meta["source_url"], meta["document_id"], meta["chunk_id"]) == (
        "http://site1.test/page1",
        "doc1",
        "c2",
    )
    assert (meta["model"], meta["quality_score"], meta["scores"]["format"]) == (
        "gpt-4o-mini",
        0.95,
        1.0,
    )
    assert "rejected_because" not in meta


def test_a_rejected_record_keeps_its_reasons() -> None:
    meta = record(scored(3, passed=False))["metadata"]
    assert meta["rejected_because"] == ["hard_to_read(flesch=12)", "score 0.40 < 0.70"]


def test_a_staged_line_carries_id_verdict_and_the_record_unchanged() -> None:
    item = scored(5, passed=False, text="tab\there\nand newline")
    line = staged_line(item)
    assert line.count(b"\n") == 1 and key(line) == b"ex000005"
    passed, body = unpack(line)
    assert not passed and orjson.loads(body) == record(item)


def test_a_document_lands_in_one_split_and_splits_follow_their_shares() -> None:
    shares = {"train": 0.8, "validation": 0.1, "test": 0.1}
    docs = [f"doc{i}" for i in range(5000)]
    chosen = Counter(split_of(d, shares) for d in docs)
    assert all(split_of(d, shares) == split_of(d, dict(shares)) for d in docs[:50])
    assert 3800 < chosen["train"] < 4200 and 350 < chosen["test"] < 650
    assert {split_of(d, {"test": 1.0}) for d in docs[:50]} == {"test"}


def test_staged_batches_read_back_once_each_in_id_order(tmp_path: Path) -> None:
    items = examples(40)
    staging.append(tmp_path, "j", "2-0", items[10:])
    staging.append(tmp_path, "j", "1-0", items[:25])  # redelivered: 10..24 staged twice
    staging.append(tmp_path, "j", "3-0", items[5:6])
    ids = [key(line).decode() for line in staging.read(tmp_path, "j")]
    assert ids == [f"ex{i:06d}" for i in range(40)]
    assert len(list(staging.folder(tmp_path, "j").iterdir())) == 1, "consolidated in one file"
    assert [key(line) for line in staging.read(tmp_path, "j")] == [i.encode() for i in ids]


def test_many_batches_merge_in_rounds_of_a_few_open_files(tmp_path: Path) -> None:
    items = examples(staging.FAN_IN * 3)
    for i, item in enumerate(items):
        staging.append(tmp_path, "j", f"{i % (staging.FAN_IN * 2 + 5)}-{i}", [item])
    assert len(list(staging.read(tmp_path, "j"))) == len(items)


def test_a_job_with_nothing_staged_reads_empty(tmp_path: Path) -> None:
    assert list(staging.read(tmp_path, "nothing")) == []
