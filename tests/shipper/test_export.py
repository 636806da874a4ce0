"""Export folders: every format loads with Hugging Face `datasets`, splits keep pages whole,
the manifest's hashes are the files', and nothing is ever overwritten."""

from __future__ import annotations

import os
from pathlib import Path

import orjson
import pytest

from services.shipper import staging
from services.shipper.manifest import Manifest
from services.shipper.writers import sha256_of
from tests.shipper.samples import AT, examples, write

LOADERS = {"csv": "csv", "parquet": "parquet"}
FORMATS = ("jsonl", "json", "csv", "parquet", "openai", "sharegpt", "alpaca")


def load(folder: Path, fmt: str, cache: Path) -> dict[str, int]:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from datasets import load_dataset

    files = {s: str(folder / n) for s, n in Manifest.load(folder).data_files.items()}
    loaded = load_dataset(LOADERS.get(fmt, "json"), data_files=files, cache_dir=str(cache))
    return {split: len(rows) for split, rows in loaded.items()}


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_loads_with_datasets_with_every_passed_example(
    data_dir: Path, tmp_path: Path, fmt: str
) -> None:
    splits = {"train": 0.7, "test": 0.3} if fmt in ("parquet", "alpaca") else None
    folder = write(data_dir, fmt, splits)
    manifest = Manifest.load(folder)
    assert manifest.records == 45 and manifest.rejected == 15
    counts = load(folder, fmt, tmp_path / "hf")
    assert counts == (manifest.splits if splits else {"train": 45})
    assert sum(counts.values()) == 45


def test_a_page_never_spans_two_splits(data_dir: Path) -> None:
    folder = write(data_dir, "sharegpt", {"train": 0.5, "validation": 0.25, "test": 0.25})
    seen: dict[str, str] = {}
    for split in ("train", "validation", "test"):
        for line in (folder / f"{split}.jsonl").read_bytes().splitlines():
            document = orjson.loads(line)["metadata"]["document_id"]
            assert seen.setdefault(document, split) == split


def test_rejected_examples_go_apart_with_their_scores_and_reasons(data_dir: Path) -> None:
    folder = write(data_dir, "jsonl")
    rejected = [orjson.loads(x) for x in (folder / "rejected.jsonl").read_bytes().splitlines()]
    kept = [orjson.loads(x) for x in (folder / "dataset.jsonl").read_bytes().splitlines()]
    assert len(rejected) == 15 and all(r["metadata"]["rejected_because"] for r in rejected)
    assert all("rejected_because" not in r["metadata"] for r in kept)
    assert [r["id"] for r in kept] == sorted(r["id"] for r in kept)


def test_the_manifest_holds_each_files_count_and_sha256(data_dir: Path) -> None:
    folder = write(data_dir, "openai")
    files = {f.name: f for f in Manifest.load(folder).files}
    assert set(files) == {
        "dataset.jsonl",
        "dataset.provenance.jsonl",
        "rejected.jsonl",
        "README.md",
    }
    for name, entry in files.items():
        assert entry.sha256 == sha256_of(folder / name), name
        assert entry.bytes == (folder / name).stat().st_size
    assert files["dataset.jsonl"].records == files["dataset.provenance.jsonl"].records == 45


def test_an_export_is_written_once_and_a_new_one_never_overwrites_it(data_dir: Path) -> None:
    first = write(data_dir, "jsonl")
    before = {p.name: p.read_bytes() for p in first.iterdir()}
    assert write(data_dir, "jsonl") == first, "the same export is found, not rewritten"
    other = write(data_dir, "jsonl", export_id="export_other")
    assert other != first and other.name.startswith(first.name)
    later = write(data_dir, "jsonl", export_id="export_later", at=AT.replace(hour=10))
    assert {p.name: p.read_bytes() for p in first.iterdir()} == before
    assert sorted(p.name for p in first.parent.iterdir()) == sorted(
        [first.name, other.name, later.name]
    )


def test_a_job_without_passed_examples_gets_an_empty_valid_export_that_says_why(
    tmp_path: Path,
) -> None:
    staging.append(tmp_path, "j", "1-0", examples(4, every_rejected=1), 0.7)
    folder = write(tmp_path, "json")
    assert orjson.loads((folder / "dataset.json").read_bytes()) == []
    assert "no example passed quality control" in (folder / "README.md").read_text()
    assert Manifest.load(folder).rejected == 4
