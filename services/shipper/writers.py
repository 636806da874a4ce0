"""Streaming file writers, one per file kind; each counts its rows and hashes its bytes.

Rows go out a chunk at a time as they come, so a writer holds at most one chunk of a job."""

from __future__ import annotations

import hashlib
import io
import os
from dataclasses import dataclass
from pathlib import Path

import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from services.shipper.formats import FileKind
from services.shipper.records import TABULAR, TABULAR_COLUMNS, Row

# A spreadsheet runs a cell starting with one of these as a formula (OWASP, CSV injection).
FORMULA = r"^([=+\-@\t\r])"
TABULAR_SCHEMA = pa.schema(TABULAR)


@dataclass(frozen=True)
class Written:
    name: str
    records: int
    sha256: str
    bytes: int


def defused(table: pa.Table) -> pa.Table:
    """Text a spreadsheet would run as a formula, made inert with a leading apostrophe."""
    for i, column in enumerate(table.columns):
        if pa.types.is_string(column.type):
            inert = pc.replace_substring_regex(column, FORMULA, r"'\1")
            table = table.set_column(i, table.field(i), inert)
    return table


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


class TextWriter:
    """A file written in chunks of joined lines, hashed as it goes."""

    head, tail = b"", b""

    def __init__(self, path: Path) -> None:
        self.path, self.records, self._size = path, 0, 0
        self._file, self._hash = path.open("wb"), hashlib.sha256()
        self._emit(self.head)

    def add_rows(self, rows: list[Row]) -> None:
        self.add_lines(list(map(orjson.dumps, rows)))

    def add_lines(self, lines: list[bytes]) -> None:
        """Records already in JSON, one line each."""
        if lines:
            self._emit(self._joined(lines))
            self.records += len(lines)

    def _joined(self, lines: list[bytes]) -> bytes:
        return b"\n".join(lines) + b"\n"

    def _emit(self, data: bytes) -> None:
        self._file.write(data)
        self._hash.update(data)
        self._size += len(data)

    def close(self) -> Written:
        self._emit(self.tail)
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        return Written(self.path.name, self.records, self._hash.hexdigest(), self._size)


class JsonlWriter(TextWriter):
    pass


class JsonWriter(TextWriter):
    """One JSON array, a record per line."""

    head, tail = b"[", b"\n]\n"

    def _joined(self, lines: list[bytes]) -> bytes:
        return (b",\n" if self.records else b"\n") + b",\n".join(lines)


class CsvWriter(TextWriter):
    """A header, then the rows of each table, text cells defused; arrow quotes as needed."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self._emit(",".join(f'"{name}"' for name in TABULAR_COLUMNS).encode() + b"\n")

    def add_table(self, table: pa.Table) -> None:
        out = io.BytesIO()
        options = pacsv.WriteOptions(include_header=False)
        pacsv.write_csv(defused(table.select(TABULAR_COLUMNS)), out, write_options=options)
        self._emit(out.getvalue())
        self.records += table.num_rows


class ParquetWriter:
    def __init__(self, path: Path) -> None:
        self.path, self.records = path, 0
        self._writer = pq.ParquetWriter(path, TABULAR_SCHEMA)

    def add_table(self, table: pa.Table) -> None:
        self._writer.write_table(table.select(TABULAR_COLUMNS).cast(TABULAR_SCHEMA))
        self.records += table.num_rows

    def close(self) -> Written:
        self._writer.close()
        with self.path.open("rb") as f:
            os.fsync(f.fileno())
        size = self.path.stat().st_size
        return Written(self.path.name, self.records, sha256_of(self.path), size)


def row_writer(kind: FileKind, path: Path) -> TextWriter:
    return JsonWriter(path) if kind == "json" else JsonlWriter(path)


def table_writer(kind: FileKind, path: Path) -> CsvWriter | ParquetWriter:
    return CsvWriter(path) if kind == "csv" else ParquetWriter(path)
