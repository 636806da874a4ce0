"""Pure shaping of scored examples into export records and files (JSONL, JSON, CSV)."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from shared.events import ExampleScored

CSV_COLUMNS = (
    "id",
    "input",
    "output",
    "template",
    "source_url",
    "chunk_id",
    "model",
    "quality_score",
)


def record(scored: ExampleScored) -> dict[str, Any]:
    ex = scored.example
    return {
        "id": ex.event_id,
        "input": ex.input,
        "output": ex.output,
        "template": ex.template,
        **({"fields": ex.fields} if ex.fields else {}),
        "metadata": {
            "source_url": ex.url,
            "document_id": ex.document_id,
            "chunk_id": ex.chunk_id,
            "model": ex.model,
            "simulated": ex.simulated,
            "cost_usd": ex.cost_usd,
            "quality_score": scored.score,
            "scores": scored.scores,
            **({"rejected_because": scored.reasons} if not scored.passed else {}),
        },
    }


def render(records: list[dict[str, Any]], fmt: str) -> str:
    if fmt == "jsonl":
        return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    if fmt == "json":
        return json.dumps(records, ensure_ascii=False, indent=2) + "\n"
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for r in records:
            meta = r["metadata"]
            writer.writerow(
                {
                    **{k: r[k] for k in CSV_COLUMNS[:4]},
                    **{
                        "source_url": meta["source_url"],
                        "chunk_id": meta["chunk_id"],
                        "model": meta["model"],
                        "quality_score": meta["quality_score"],
                    },
                }
            )
        return out.getvalue()
    raise ValueError(f"unknown export format {fmt!r}")
