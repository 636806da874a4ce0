"""Shipper export throughput per format against a bare write of the same records.

N scored examples (default 100k, 90% passed, realistic text lengths) are staged as the shipper
stages them (sorted batch files of 200), merged once, then exported in every format through
`services.shipper.export.export` (records, stats, splits off, card, manifest, sha256, fsync,
rename). The baseline writes the same rows, prebuilt in memory, with bare `json.dumps` per
line (JSON, JSONL, chat formats, and the rejected file), `csv.writer` (CSV) or one
`pyarrow.Table.from_pylist` + `pq.write_table` (Parquet). Peak RSS above the pre-export level
is sampled during each export: it must not grow with N (the export streams).
Last line: `ratio: <the lowest export/baseline records-per-second ratio over the formats>`.
"""

from __future__ import annotations

import argparse
import csv
import gc
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import psutil
import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from services.shipper import columns, staging
from services.shipper.export import export
from services.shipper.facts import JobFacts
from services.shipper.formats import FORMATS, provenance
from services.shipper.manifest import ExportSpec
from services.shipper.records import TABULAR_COLUMNS
from services.shipper.writers import TABULAR_SCHEMA
from shared.contract.config import ExportConfig, JobConfig
from shared.contract.events import ExampleGenerated, ExampleScored
from shared.settings import Settings
from shared.storage.blobs import Storage

WORDS = "the bees collect nectar from flowers and bring it back to the hive where workers"
AT = datetime(2026, 1, 1, tzinfo=UTC)


def text(i: int, words: int) -> str:
    vocabulary = WORDS.split()
    return " ".join(vocabulary[(i + k) % len(vocabulary)] for k in range(words))


def example(i: int) -> ExampleScored:
    ex = ExampleGenerated(
        event_id=f"example_{i:08d}", job_id="bench", chunk_id=f"chunk_{i // 3}",
        document_id=f"doc_{i // 30}", url=f"https://site{i // 30 % 50}.example/page{i // 30}",
        template="qa", input=text(i, 18) + "?", output=text(i, 45) + ".",
        fields={"question": text(i, 18) + "?", "answer": text(i, 45) + "."},
        model="gpt-4o-mini", prompt_tokens=600, completion_tokens=180, cost_usd=0.0002,
        language="en",
    )  # fmt: skip
    passed = i % 10 != 0
    return ExampleScored(
        event_id=f"scored_{i:08d}", job_id="bench", example=ex,
        scores={"format": 1.0, "readability": 0.8, "toxicity": 0.99}, score=0.9 if passed else 0.3,
        passed=passed, reasons=[] if passed else ["score 0.30 < 0.70"],
    )  # fmt: skip


def stage(data_dir: Path, n: int, batch: int = 200) -> None:
    for start in range(0, n, batch):
        items = [example(i) for i in range(start, min(n, start + batch))]
        staging.append(data_dir, "bench", f"{start:09d}-0", items, 0.7)


class PeakRss:
    """Samples this process's RSS every few ms; `peak` is the most above the starting level."""

    def __init__(self) -> None:
        self._proc, self._stop = psutil.Process(), threading.Event()
        self.start = self.peak = self._proc.memory_info().rss
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.005):
            self.peak = max(self.peak, self._proc.memory_info().rss)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def grown_mb(self) -> float:
        return (self.peak - self.start) / 2**20


Timing = tuple[float, float]  # wall seconds, CPU seconds of this process (all threads)


def timed(work: Callable[[], object]) -> Timing:
    wall, cpu = time.perf_counter(), time.process_time()
    work()
    return time.perf_counter() - wall, time.process_time() - cpu


def ours(data_dir: Path, out: Path, fmt: str) -> tuple[Timing, float]:
    config = JobConfig(export=ExportConfig(format=fmt))
    spec = ExportSpec("bench", f"export_{fmt}", AT, config)
    with PeakRss() as rss:
        storage = Storage.from_settings(Settings(data_dir=out))
        took = timed(lambda: export(storage, spec, columns.read(data_dir, "bench"), JobFacts()))
    return took, rss.grown_mb


Rows = tuple[list[Any], list[Any], list[Any]]  # data rows, provenance rows, rejected records


def rows_of(data_dir: Path, fmt: str) -> Rows:
    """What our export writes, prebuilt in memory."""
    shape, data, sidecar, rejected = FORMATS[fmt].row, [], [], []
    for row in (r for table in columns.read(data_dir, "bench") for r in table.to_pylist()):
        if not row["passed"]:
            rejected.append(json.loads(row["record"]))
        elif FORMATS[fmt].kind in ("csv", "parquet"):
            data.append({name: row[name] for name in TABULAR_COLUMNS})
        elif shape is None:
            data.append(json.loads(row["record"]))
        else:
            data.append(json.loads(orjson.dumps(shape(row))))
            sidecar += [json.loads(orjson.dumps(provenance(row)))] if FORMATS[fmt].sidecar else []
    return data, sidecar, rejected


def _lines(path: Path, rows: list[Any]) -> None:
    with path.open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row) + "\n")


def bare(out: Path, fmt: str, rows: Rows) -> None:
    """The same records written with no more than the serialiser and the file."""
    data, sidecar, rejected = rows
    out.mkdir(parents=True, exist_ok=True)
    kind = FORMATS[fmt].kind
    if kind == "parquet":
        pq.write_table(pa.Table.from_pylist(data, TABULAR_SCHEMA), out / "d.parquet")
    elif kind == "csv":
        with (out / "d.csv").open("w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f, lineterminator="\n")
            writer.writerow(TABULAR_COLUMNS)
            writer.writerows([r[c] for c in TABULAR_COLUMNS] for r in data)
    elif kind == "json":
        (out / "d.json").write_text("[\n" + ",\n".join(json.dumps(r) for r in data) + "\n]\n")
    else:
        _lines(out / "d.jsonl", data)
    if sidecar:
        _lines(out / "p.jsonl", sidecar)
    _lines(out / "r.jsonl", rejected)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--examples", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-shipper-"))
    try:
        run(work, args.examples, args.runs)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _fresh(work: Path) -> Iterator[Path]:
    n = 0
    while True:
        n += 1
        yield work / f"out{n}"


def run(work: Path, n: int, runs: int) -> None:
    t = time.perf_counter()
    stage(work, n)
    print(f"staged {n} examples in {time.perf_counter() - t:.1f}s")
    t = time.perf_counter()
    columns.arrow_file(work, "bench")
    rate = n / (time.perf_counter() - t)
    print(f"merged the staged batches into columns, once per job: {rate:,.0f} examples/s")
    outs, ratios = _fresh(work), {}
    for fmt in FORMATS:
        rows = rows_of(work, fmt)
        # The baseline's rows stay in memory between its runs; frozen, the garbage collector
        # skips them, so that they do not slow down the collections our export triggers.
        gc.freeze()
        mine, theirs, grown = [], [], 0.0
        for _ in range(runs):  # interleaved, so that load from elsewhere hits both alike
            took, rss = ours(work, next(outs), fmt)
            mine.append(took)
            grown = max(grown, rss)
            theirs.append(timed(lambda: bare(next(outs), fmt, rows)))  # noqa: B023
        gc.unfreeze()
        (wall, cpu), (bare_wall, bare_cpu) = min(mine), min(theirs)
        ratios[fmt] = bare_wall / wall
        print(
            f"{fmt:9s} ours {n / wall:9,.0f} records/s  bare {n / bare_wall:9,.0f} records/s"
            f"  ratio {ratios[fmt]:.2f} (CPU time {bare_cpu / cpu:.2f})"
            f"  RSS +{grown:.0f} MB during the export"
        )
    busy = os.getloadavg()[0]
    if busy > (os.cpu_count() or 1):
        print(f"flagged: load average {busy:.1f} on {os.cpu_count()} cores during the run;")
        print("wall-clock ratios measure the neighbours too, the CPU-time ratios less so")
    print(f"lowest ratio: {min(ratios, key=ratios.__getitem__)}")
    print(f"ratio: {min(ratios.values()):.2f}")


if __name__ == "__main__":
    main()
