"""Scored examples for the shipper's tests: varied text, documents, verdicts and templates."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from services.shipper import columns
from services.shipper.export import export
from services.shipper.facts import JobFacts
from services.shipper.manifest import ExportSpec
from shared.contract.config import ExportConfig, JobConfig
from shared.contract.events import ExampleScored
from shared.settings import Settings
from shared.storage.blobs import Storage
from tests import factories
from tests.factories import example

AT = datetime(2026, 5, 1, 9, 30, 15, 250_000, tzinfo=UTC)

FIELDS: dict[str, Any] = {
    "qa": lambda i: {"question": f"Question {i}?", "answer": f"Answer {i}."},
    "summarization": lambda i: {"summary": f"Summary {i}."},
    "classification": lambda i: {
        "text": f"Passage {i}.",
        "label": "science",
        "labels": ["science", "other"],
    },
    "instruction": lambda i: {"instruction": f"Do {i}.", "input": "", "response": f"Done {i}."},
}


def scored(
    i: int,
    *,
    job: str = "j",
    passed: bool = True,
    template: str = "qa",
    document: str | None = None,
    text: str | None = None,
    simulated: bool = False,
) -> ExampleScored:
    ex = example(
        f"ex{i:06d}", text or f"Question {i}, with a comma?", f"Answer {i}.\nA second line.",
        job, chunk_id=f"c{i // 3}", document_id=document or f"doc{i // 6}",
        url=f"http://site{i % 2}.test/page{i // 6}", template=template,
        fields=FIELDS[template](i), model="gpt-4o-mini", prompt_tokens=10,
        completion_tokens=5, cost_usd=0.001, simulated=simulated, language="en",
    )  # fmt: skip
    scores = {"format": 1.0, "readability": 0.9 if passed else 0.3}
    reasons = [] if passed else ["hard_to_read(flesch=12)", "score 0.40 < 0.70"]
    return factories.scored(ex, 0.95 if passed else 0.4, passed, scores, reasons)


def examples(n: int, *, job: str = "j", every_rejected: int = 4, **kw: Any) -> list[ExampleScored]:
    return [scored(i, job=job, passed=i % every_rejected != 0, **kw) for i in range(n)]


def write(data_dir: Path, fmt: str, splits: dict[str, float] | None = None, **kw: Any) -> Path:
    """Exports job `j`'s staged examples in `fmt`; returns the export's folder."""
    config = JobConfig(export=ExportConfig(format=fmt, splits=splits or {}))
    spec = ExportSpec("j", kw.get("export_id", f"export_{fmt}"), kw.get("at", AT), config)
    storage = Storage.from_settings(Settings(data_dir=data_dir))
    prefix, _ = export(storage, spec, columns.read(data_dir, "j"), JobFacts())
    return data_dir / prefix
