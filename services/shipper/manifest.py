"""What an export is (its spec) and what it holds (its manifest: counts, files and sha256)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from services.shipper.figures import Figures
from services.shipper.formats import FORMATS, Format
from services.shipper.writers import Written
from shared.contract.config import JobConfig

MANIFEST = "manifest.json"
CARD = "README.md"


def version_of(at: datetime) -> str:
    """The export's time to the millisecond, from the event that asked for it."""
    at = at.astimezone(UTC)
    return at.strftime("v%Y%m%dT%H%M%S.") + f"{at.microsecond // 1000:03d}Z"


@dataclass(frozen=True)
class ExportSpec:
    job_id: str
    export_id: str
    at: datetime
    config: JobConfig  # the job's, with the export section this export asked for

    @property
    def version(self) -> str:
        return version_of(self.at)

    @property
    def format(self) -> Format:
        return FORMATS[self.config.export.format]

    @property
    def folder_name(self) -> str:
        return f"{self.version}-{self.format.name}"

    @property
    def splits(self) -> list[str]:
        return list(self.config.export.splits)

    def file_name(self, split: str, sidecar: bool = False) -> str:
        """`dataset.<ext>` without splits, else one file per split, e.g. `test.parquet`."""
        stem = split if self.splits else "dataset"
        return f"{stem}.provenance.jsonl" if sidecar else f"{stem}.{self.format.extension}"


@dataclass(frozen=True)
class Manifest:
    export_id: str
    job_id: str
    version: str
    format: str
    created_at: str
    records: int
    rejected: int
    splits: dict[str, int]
    data_files: dict[str, str]  # split -> file name in the export's folder
    files: list[Written]
    figures: Figures

    def dump(self) -> bytes:
        return orjson.dumps(dataclasses.asdict(self), option=orjson.OPT_INDENT_2) + b"\n"

    @classmethod
    def load(cls, folder: Path) -> Manifest:
        return cls.parse((folder / MANIFEST).read_bytes())

    @classmethod
    def parse(cls, raw: bytes) -> Manifest:
        data: dict[str, Any] = orjson.loads(raw)
        data["files"] = [Written(**f) for f in data["files"]]
        return cls(**data)
