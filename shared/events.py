"""The one contract between services: frozen event models, past-tense facts and commands."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from shared.config import JobConfig


def utcnow() -> datetime:
    return datetime.now(UTC)


class Event(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    # A tallied event is a work item: it counts toward its job's outstanding items
    # until a stage records its outcome.
    tallied: ClassVar[bool] = False

    event_id: str
    job_id: str
    caused_by: str | None = None
    at: datetime = Field(default_factory=utcnow)


class ProjectCreated(Event):
    type: Literal["ProjectCreated"] = "ProjectCreated"
    project_id: str
    name: str
    description: str = ""


class JobSubmitted(Event):
    type: Literal["JobSubmitted"] = "JobSubmitted"
    project_id: str
    urls: list[str]
    config: JobConfig


class JobCancelled(Event):
    type: Literal["JobCancelled"] = "JobCancelled"
    reason: str = "cancelled by user"


class FetchPage(Event):
    tallied: ClassVar[bool] = True
    type: Literal["FetchPage"] = "FetchPage"
    project_id: str | None = None
    url: str
    depth: int = 0
    seed: str | None = None  # the seed URL a crawled page was discovered from
    config: JobConfig


class PageFetched(Event):
    tallied: ClassVar[bool] = True
    type: Literal["PageFetched"] = "PageFetched"
    project_id: str | None = None
    url: str
    final_url: str
    status_code: int
    content_type: str
    html_path: str
    title: str | None = None
    language: str | None = None
    published: str | None = None
    encoding: str = "utf-8"
    renderer: Literal["httpx", "browser"] = "httpx"
    content_hash: str
    config: JobConfig


class DocumentRefined(Event):
    type: Literal["DocumentRefined"] = "DocumentRefined"
    document_id: str
    url: str
    chunks: int
    dropped: int
    language: str | None = None
    extractor: str
    text_chars: int


class ChunkMade(Event):
    tallied: ClassVar[bool] = True
    type: Literal["ChunkMade"] = "ChunkMade"
    document_id: str
    url: str
    index: int
    text: str
    token_count: int
    char_start: int
    char_end: int
    language: str | None = None
    config: JobConfig


class ChunkDropped(Event):
    type: Literal["ChunkDropped"] = "ChunkDropped"
    chunk_id: str
    document_id: str
    url: str
    reason: str
    duplicate_of: str | None = None


class ChunkGenerated(Event):
    type: Literal["ChunkGenerated"] = "ChunkGenerated"
    chunk_id: str
    examples: int
    model: str
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float


class ExampleGenerated(Event):
    tallied: ClassVar[bool] = True
    type: Literal["ExampleGenerated"] = "ExampleGenerated"
    chunk_id: str
    document_id: str
    url: str
    template: str
    input: str
    output: str
    fields: dict[str, Any] = {}
    model: str
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float
    simulated: bool = False
    language: str | None = None
    config: JobConfig


class ExampleScored(Event):
    tallied: ClassVar[bool] = True
    type: Literal["ExampleScored"] = "ExampleScored"
    example: ExampleGenerated
    scores: dict[str, float]
    score: float
    passed: bool
    reasons: list[str] = []


class JobCompleted(Event):
    """Every work item of the job has an outcome; emitted by the commit that settles the last."""

    type: Literal["JobCompleted"] = "JobCompleted"


class ExportWritten(Event):
    type: Literal["ExportWritten"] = "ExportWritten"
    export_id: str
    format: str
    path: str
    card_path: str
    record_count: int
    rejected_count: int
    version: str


class ItemFailed(Event):
    """A work item's outcome when a stage could not or would not produce its outputs."""

    type: Literal["ItemFailed"] = "ItemFailed"
    stage: str
    item_id: str
    outcome: Literal["failed", "skipped"] = "failed"
    reason: str
    detail: str = ""
    url: str | None = None
    # What the item cost before it failed (LLM calls that returned unusable answers).
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0


AnyEvent = Annotated[
    ProjectCreated
    | JobSubmitted
    | JobCancelled
    | FetchPage
    | PageFetched
    | DocumentRefined
    | ChunkMade
    | ChunkDropped
    | ChunkGenerated
    | ExampleGenerated
    | ExampleScored
    | JobCompleted
    | ExportWritten
    | ItemFailed,
    Field(discriminator="type"),
]

EVENT_ADAPTER: TypeAdapter[AnyEvent] = TypeAdapter(AnyEvent)


def parse_event(raw: bytes | str) -> AnyEvent:
    return EVENT_ADAPTER.validate_json(raw)
