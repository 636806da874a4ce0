"""Projects ExampleReviewed into `example_reviews`: one row per review, the original kept."""

from __future__ import annotations

from typing import Any

from services.gateway.readmodel.rows import Upsert, Write, ts
from services.gateway.readmodel.tables import example_reviews
from shared.contract.events import ExampleReviewed


def example_reviewed(e: ExampleReviewed) -> list[Write]:
    # The example's own row stays as generated and scored: the results show both.
    row: dict[str, Any] = {
        "event_id": e.event_id,
        "example_id": e.example_id,
        "job_id": e.job_id,
        "action": e.action,
        "input_text": e.input,
        "output_text": e.output,
        "note": e.note,
        "reviewed_at": ts(e.at),
    }
    return [Upsert(example_reviews, row)]
