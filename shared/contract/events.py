"""The one contract between services: frozen event models, past-tense facts and commands."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Any, ClassVar, Literal, TypeVar, get_args

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, model_validator

from shared.contract.config import ExportConfig, JobConfig
from shared.contract.ids import derive
from shared.contract.templates.spec import TemplateSpec
from shared.storage.keys import legacy_key

E = TypeVar("E", bound="Event")


def utcnow() -> datetime:
    return datetime.now(UTC)


def _renamed(data: Any, names: dict[str, str], top: str) -> Any:
    """`data` with the path fields of an older event under their key names, as keys."""
    if not isinstance(data, dict) or not any(old in data for old in names):
        return data
    data = dict(data)
    for old, new in names.items():
        if old in data:
            value = data.pop(old)
            data.setdefault(new, legacy_key(value, top) if value else value)
    return data


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


class ProjectUpdated(Event):
    """The project's name and description were replaced."""

    type: Literal["ProjectUpdated"] = "ProjectUpdated"
    project_id: str
    name: str
    description: str = ""


class ProjectDeleted(Event):
    """The project is gone from lists and lookups; its jobs and exports stay readable."""

    type: Literal["ProjectDeleted"] = "ProjectDeleted"
    project_id: str


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


class PageFetched(Event):
    tallied: ClassVar[bool] = True
    type: Literal["PageFetched"] = "PageFetched"
    project_id: str | None = None
    url: str
    final_url: str
    status_code: int
    content_type: str
    html_key: str  # the raw page in blob storage
    title: str | None = None
    language: str | None = None
    published: str | None = None
    encoding: str = "utf-8"
    renderer: Literal["httpx", "browser"] = "httpx"
    content_hash: str
    # The robots.txt Crawl-delay the spider honoured for this host, after its cap.
    crawl_delay_s: float | None = None
    # cl100k tokens of the page's visible text: what the job's estimate is refined from once
    # the page is fetched (main text is a part of it). None in logs from before it was counted.
    text_tokens: int | None = None

    @model_validator(mode="before")
    @classmethod
    def _path_to_key(cls, data: Any) -> Any:
        """Events logged before blob storage held the page's path in the data directory."""
        return _renamed(data, {"html_path": "html_key"}, "raw")


class DocumentRefined(Event):
    type: Literal["DocumentRefined"] = "DocumentRefined"
    document_id: str
    url: str
    chunks: int
    dropped: int
    language: str | None = None
    extractor: str
    text_chars: int
    chunks_over_cap: int = 0  # chunks past processing.max_chunks_per_page, never made


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


class ChunkDropped(Event):
    type: Literal["ChunkDropped"] = "ChunkDropped"
    chunk_id: str
    document_id: str
    url: str
    reason: str
    duplicate_of: str | None = None


class ChunkAnswered(Event):
    """The LLM answered a chunk's prompt: how many examples it made, their tokens and cost.
    Logs written before the rename call it ChunkGenerated; it reads as this event."""

    type: Literal["ChunkAnswered", "ChunkGenerated"] = "ChunkAnswered"
    chunk_id: str
    examples: int
    model: str
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float


class BatchSubmitted(Event):
    """A provider batch holds these chunks' requests; their outcomes follow when it ends."""

    type: Literal["BatchSubmitted"] = "BatchSubmitted"
    batch_id: str
    chunk_ids: list[str]


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
    # The source chunk's text, for the inspector's groundedness check; None from older
    # factories. The scored copy of the example leaves it out.
    source: str | None = None


class ExampleScored(Event):
    tallied: ClassVar[bool] = True
    type: Literal["ExampleScored"] = "ExampleScored"
    example: ExampleGenerated
    scores: dict[str, float]
    score: float
    passed: bool
    reasons: list[str] = []  # why it was rejected: empty on a passed example
    # Checks below their threshold on a passed example: shown, never a rejection.
    warnings: list[str] = []
    # The model or method behind each check's score, e.g. {"toxicity": "detoxify:original"}.
    backends: dict[str, str] = {}
    cost_usd: float = 0.0  # what the optional LLM judge spent on the example
    # What the export's duplicate removal compares: normalised hashes of each side and the
    # embedding, packed by shared/vectors.py. Empty when the job does not ask for it.
    fingerprints: list[str] = []
    vector: str | None = None


class DuplicatesRemoved(Event):
    """An export left out these passed examples as copies: example id -> the id of the
    example kept in its place, with how alike they are ("exact" or the cosine)."""

    type: Literal["DuplicatesRemoved"] = "DuplicatesRemoved"
    export_id: str
    removed: dict[str, tuple[str, str]]


class JobCompleted(Event):
    """Every work item of the job has an outcome; emitted by the commit that settles the last."""

    type: Literal["JobCompleted"] = "JobCompleted"


class ExportJob(Event):
    """A request to export a completed job again, e.g. in another format; its id and time
    name the export, so a repeated request writes nothing new."""

    type: Literal["ExportJob"] = "ExportJob"
    export: ExportConfig

    @property
    def export_id(self) -> str:
        return export_id(self)


class ExportWritten(Event):
    type: Literal["ExportWritten"] = "ExportWritten"
    export_id: str
    format: str
    key: str  # the data file in blob storage (the train split's, with splits)
    card_key: str
    record_count: int
    rejected_count: int
    version: str
    manifest_key: str = ""
    splits: dict[str, int] = {}  # records per split; empty without splits

    @model_validator(mode="before")
    @classmethod
    def _paths_to_keys(cls, data: Any) -> Any:
        """Events logged before blob storage held paths in the data directory."""
        names = {"path": "key", "card_path": "card_key", "manifest_path": "manifest_key"}
        return _renamed(data, names, "exports")


class ExampleReviewed(Event):
    """A reviewer's verdict on an example: approved or rejected as it is, or edited (and so
    kept, with the new text). Of an example's reviews, the latest by `at` then `event_id`
    counts, so duplicates and any replay order give the same verdict."""

    type: Literal["ExampleReviewed"] = "ExampleReviewed"
    example_id: str
    action: Literal["approve", "reject", "edit"]
    input: str | None = None  # the edited text; None keeps the original
    output: str | None = None
    note: str = ""


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


class TemplateSaved(Event):
    """A user template's new version (`spec.version`); jobs submitted later resolve to it."""

    type: Literal["TemplateSaved"] = "TemplateSaved"
    spec: TemplateSpec


class TemplateDeleted(Event):
    """New jobs can no longer name the template; jobs that did keep their copy."""

    type: Literal["TemplateDeleted"] = "TemplateDeleted"
    name: str
    version: int  # the last saved


AnyEvent = Annotated[
    ProjectCreated
    | ProjectUpdated
    | ProjectDeleted
    | JobSubmitted
    | JobCancelled
    | FetchPage
    | PageFetched
    | DocumentRefined
    | ChunkMade
    | ChunkDropped
    | ChunkAnswered
    | BatchSubmitted
    | ExampleGenerated
    | ExampleScored
    | JobCompleted
    | ExportJob
    | ExportWritten
    | DuplicatesRemoved
    | ExampleReviewed
    | ItemFailed
    | TemplateSaved
    | TemplateDeleted,
    Field(discriminator="type"),
]

EVENT_ADAPTER: TypeAdapter[AnyEvent] = TypeAdapter(AnyEvent)
EVENT_TYPES: dict[str, type[Event]] = {
    name: cls
    for cls in Event.__subclasses__()
    for name in get_args(cls.model_fields["type"].annotation)
}


class Unreadable(Event):
    """Stands in for an entry whose payload does not validate, so that its job can still
    account for it; never published."""

    item: type[Event]

    @property
    def tallied(self) -> bool:  # type: ignore[override]
        return self.item.tallied


def caused(parent: Event, cls: type[E], kind: str, index: int | str = 0, /, **fields: Any) -> E:
    """The event `parent` caused: its id derives from the parent's, and it keeps the job.
    Positional-only, so an event's own `index` field can be passed by name."""
    return cls(
        event_id=derive(parent.event_id, kind, index),
        job_id=parent.job_id,
        caused_by=parent.event_id,
        **fields,
    )


def export_id(cause: Event) -> str:
    """The id of the export that `cause` (JobCompleted or ExportJob) makes."""
    return derive(cause.event_id, "export")


def parse_event(raw: bytes | str) -> AnyEvent:
    """Our own events are strict; fields a newer producer added are dropped, so that a
    rolling upgrade never dead-letters what an older consumer cannot read yet."""
    try:
        return EVENT_ADAPTER.validate_json(raw)
    except ValidationError as exc:
        if not any(error["type"] == "extra_forbidden" for error in exc.errors()):
            raise
    return EVENT_ADAPTER.validate_python(_known_fields(json.loads(raw)))


def _known_fields(data: Any) -> Any:
    cls = EVENT_TYPES.get(str(data.get("type"))) if isinstance(data, dict) else None
    if cls is None:
        return data
    known = {}
    for name, value in data.items():
        field = cls.model_fields.get(name)
        if field is None:
            continue
        nested = field.annotation
        known[name] = _known_fields(value) if nested is ExampleGenerated else value
    return known
