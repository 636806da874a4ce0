"""Writes an export's data files from staged rows, a columnar chunk at a time, and tallies
the examples on the way: CSV and Parquet column by column, the other formats row by row
(rejected examples always row by row, into `rejected.jsonl`)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from services.shipper.formats import Format, provenance, template_of
from services.shipper.manifest import ExportSpec
from services.shipper.records import TABULAR_COLUMNS, splits_at
from services.shipper.stats import DatasetStats
from services.shipper.writers import JsonlWriter, Written, row_writer, table_writer
from shared.contract.templates import Template

# The columns the chat formats shape their rows from.
SHAPED = ["id", "input", "output", "template", "fields", "metadata"]


class _Files:
    """The export's open writers: data (and provenance) per split, and the rejected file."""

    def __init__(self, folder: Path, spec: ExportSpec) -> None:
        fmt, splits = spec.format, spec.splits or ["train"]
        paths = {s: folder / spec.file_name(s) for s in splits}
        columnar = fmt.kind in ("csv", "parquet")  # written from the columns
        self.rows = {} if columnar else {s: row_writer(fmt.kind, p) for s, p in paths.items()}
        self.tables = {s: table_writer(fmt.kind, p) for s, p in paths.items()} if columnar else {}
        sidecars = {s: folder / spec.file_name(s, sidecar=True) for s in splits}
        self.sidecars = {s: JsonlWriter(p) for s, p in sidecars.items()} if fmt.sidecar else {}
        self.rejected = JsonlWriter(folder / "rejected.jsonl")
        self.splits = list(paths)

    def close(self) -> list[Written]:
        writers = [*self.rows.values(), *self.tables.values(), *self.sidecars.values()]
        return [w.close() for w in [*writers, self.rejected]]


def write_records(
    folder: Path, spec: ExportSpec, chunks: Iterable[pa.Table], stats: DatasetStats
) -> list[Written]:
    """`chunks`: the staged rows in example-id order, a table of them at a time."""
    shares, fmt = spec.config.export.splits, spec.format
    files = _Files(folder, spec)
    template = template_of(spec.config.generation)
    for table in chunks:
        points = table["point"].to_pylist()
        splits = splits_at(points, shares) if shares else ["train"] * len(points)
        stats.add(table, splits if shares else None)
        passed = table["passed"].to_pylist()
        needed = table.select(_columns_for(fmt))  # filtering copies: only what is written
        for split in files.splits:
            mask = [ok and s == split for ok, s in zip(passed, splits, strict=True)]
            _write(files, fmt, split, needed.filter(pa.array(mask, pa.bool_())), template)
        rejected = table.select(["record"]).filter(pc.invert(table["passed"]))
        files.rejected.add_lines(_strings(rejected["record"]))
    return files.close()


def _columns_for(fmt: Format) -> list[str]:
    if fmt.kind in ("csv", "parquet"):
        return list(TABULAR_COLUMNS)
    return ["record"] if fmt.row is None else SHAPED


def _write(
    files: _Files, fmt: Format, split: str, chosen: pa.Table, template: Template[Any] | None
) -> None:
    if split in files.tables:
        files.tables[split].add_table(chosen)
    elif fmt.row is None:
        files.rows[split].add_lines(_strings(chosen["record"]))
    else:
        rows = chosen.select(SHAPED).to_pylist()
        files.rows[split].add_rows([fmt.row(row, template) for row in rows])
        if fmt.sidecar:
            files.sidecars[split].add_rows([provenance(row) for row in rows])


def _strings(column: pa.ChunkedArray) -> list[bytes]:
    return [value.encode() for value in column.to_pylist()]
