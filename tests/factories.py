"""Single events for tests and benchmarks, with plain defaults: a test names only the fields
its behaviour depends on. A job's whole log is built by `tests.log`."""

from __future__ import annotations

from datetime import datetime
from pathlib import PurePosixPath
from typing import Any, Literal

from shared.contract.events import (
    ChunkMade,
    ExampleGenerated,
    ExampleReviewed,
    ExampleScored,
    FetchPage,
    PageFetched,
    caused,
)
from shared.contract.ids import derive


def fetch(url: str, job: str = "job", **fields: Any) -> FetchPage:
    """The work item of `url`, with the id the gateway and the crawler give it."""
    return FetchPage(event_id=derive(job, "fetch", url), job_id=job, url=url, **fields)


def raw_key(path: PurePosixPath | Any) -> str:
    """The storage key of a page file written under the data directory's `raw/`; a path
    elsewhere stays as given, for the refiner to refuse."""
    parts = PurePosixPath(path).parts
    return "/".join(parts[parts.index("raw") :]) if "raw" in parts else str(path)


def page(name: str, key: str, job: str = "job", **fields: Any) -> PageFetched:
    """A page fetched from http://site.test/<name>, stored under `key`."""
    url = f"http://site.test/{name}"
    fields = {"status_code": 200, "content_type": "text/html", "content_hash": name, **fields}
    event_id = derive(job, "page", name)
    return PageFetched(
        event_id=event_id, job_id=job, url=url, final_url=url, html_key=key, **fields
    )


def chunk(event_id: str, text: str, job: str = "job", index: int = 0, **fields: Any) -> ChunkMade:
    defaults = {"document_id": "doc", "url": "https://example.org/", "token_count": 60}
    defaults |= {"char_start": 0, "char_end": len(text), "language": "en"}
    return ChunkMade(event_id=event_id, job_id=job, index=index, text=text, **(defaults | fields))


def example(
    event_id: str, input: str, output: str, job: str = "job1", **fields: Any
) -> ExampleGenerated:
    defaults: dict[str, Any] = {"chunk_id": "c", "document_id": "d", "url": "http://x"}
    defaults |= {"template": "qa", "model": "m", "prompt_tokens": 1, "completion_tokens": 1}
    return ExampleGenerated(
        event_id=event_id,
        job_id=job,
        input=input,
        output=output,
        **(defaults | {"cost_usd": 0.0} | fields),
    )


def scored(
    ex: ExampleGenerated,
    score: float,
    passed: bool,
    scores: dict[str, float] | None = None,
    reasons: list[str] | None = None,
    **fields: Any,
) -> ExampleScored:
    """The inspector's verdict on `ex`, with the id the inspector derives."""
    return caused(
        ex,
        ExampleScored,
        "scored",
        example=ex.model_copy(update={"source": None}),
        scores=scores or {"readability": score},
        score=score,
        passed=passed,
        reasons=reasons or [],
        **fields,
    )


def review(
    job_id: str,
    example_id: str,
    action: Literal["approve", "reject", "edit"],
    when: datetime,
    key: str = "",
    **text: str,
) -> ExampleReviewed:
    """A reviewer's verdict, with the id the gateway derives from the example and `key`."""
    return ExampleReviewed(
        event_id=derive(example_id, "review", key or f"{action}{when.isoformat()}"),
        job_id=job_id,
        caused_by=example_id,
        example_id=example_id,
        action=action,
        at=when,
        **text,
    )
