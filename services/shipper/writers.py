"""Streaming file writers, one per file kind; each counts its rows and hashes its bytes.

Rows go out in chunks as they come, so a writer holds at most one chunk of a job."""

from __future__ import annotations

import csv
import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from services.shipper.formats import TABULAR_COLUMNS, FileKind, Row

CHUNK_ROWS = 2048
PARQUET_ROWS = 16_384  # one row group
# A spreadsheet runs a cell starting with one of these as a formula (OWASP, CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

PARQUET_SCHEMA = pa.schema(
    [(name, pa.string()) for name in TABULAR_COLUMNS[:9]]
    + [("simulated", pa.bool_()), ("quality_score", pa.float64())]
    + [("scores", pa.string()), ("fields", pa.string())]
)


@dataclass(frozen=True)
class Written:
    name: str
    records: int
    sha256: str
    bytes: int


def defuse(cell: Any) -> Any:
    """Text a spreadsheet would run as a formula, made inert with a leading apostrophe."""
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


class Writer(Protocol):
    def add(self, row: Row | bytes) -> None: ...

    def close(self) -> Written: ...


class _Text:
    """A file written in chunks of joined lines, hashed as it goes."""

    head, tail = b"", b""

    def __init__(self, path: Path) -> None:
        self.path, self.records, self._size = path, 0, 0
        self._file, self._hash = path.open("wb"), hashlib.sha256()
        self._pending: list[bytes] = [self.head]

    def add(self, row: Row | bytes) -> None:
        self._pending.append(self._line(row if isinstance(row, bytes) else orjson.dumps(row)))
        self.records += 1
        if len(self._pending) >= CHUNK_ROWS:
            self._flush()

    def _line(self, data: bytes) -> bytes:
        return data + b"\n"

    def _flush(self) -> None:
        data = b"".join(self._pending)
        self._pending.clear()
        self._file.write(data)
        self._hash.update(data)
        self._size += len(data)

    def close(self) -> Written:
        self._pending.append(self.tail)
        self._flush()
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        return Written(self.path.name, self.records, self._hash.hexdigest(), self._size)


class JsonlWriter(_Text):
    pass


class JsonWriter(_Text):
    """One JSON array, a record per line."""

    head, tail = b"[\n", b"\n]\n"

    def _line(self, data: bytes) -> bytes:
        return b",\n" + data if self.records else data


class CsvWriter(_Text):
    """A header, then one defused row per record; csv quotes commas and newlines."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self._csv = csv.writer(self, lineterminator="\n")
        self._csv.writerow(TABULAR_COLUMNS)

    def write(self, text: str) -> None:  # the csv module's file interface
        self._pending.append(text.encode())

    def add(self, row: Row | bytes) -> None:
        assert isinstance(row, dict)
        self._csv.writerow([defuse(row[name]) for name in TABULAR_COLUMNS])
        self.records += 1
        if len(self._pending) >= CHUNK_ROWS:
            self._flush()


class ParquetWriter:
    def __init__(self, path: Path) -> None:
        self.path, self.records = path, 0
        self._writer = pq.ParquetWriter(path, PARQUET_SCHEMA)
        self._columns: dict[str, list[Any]] = {name: [] for name in TABULAR_COLUMNS}

    def add(self, row: Row | bytes) -> None:
        assert isinstance(row, dict)
        for name, column in self._columns.items():
            column.append(row[name])
        self.records += 1
        if len(self._columns["id"]) >= PARQUET_ROWS:
            self._flush()

    def _flush(self) -> None:
        if self._columns["id"]:
            self._writer.write_table(pa.Table.from_pydict(self._columns, PARQUET_SCHEMA))
            self._columns = {name: [] for name in TABULAR_COLUMNS}

    def close(self) -> Written:
        self._flush()
        self._writer.close()
        with self.path.open("rb") as f:
            os.fsync(f.fileno())
        size = self.path.stat().st_size
        return Written(self.path.name, self.records, sha256_of(self.path), size)


def open_writer(kind: FileKind, path: Path) -> Writer:
    writers: dict[FileKind, Callable[[Path], Writer]] = {
        "jsonl": JsonlWriter,
        "json": JsonWriter,
        "csv": CsvWriter,
        "parquet": ParquetWriter,
    }
    return writers[kind](path)
