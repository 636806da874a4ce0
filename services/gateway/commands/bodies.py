"""What the commands take and answer: request bodies and the receipts of accepted commands."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.gateway.queries.example_models import ExampleOut, ReviewAction
from services.gateway.queries.job_models import RejectedUrl
from shared.contract.config import ExportConfig, JobConfig
from shared.contract.urls import MAX_URL_LENGTH

# Refused at parsing, before any URL is looked at: the longest a spider would fetch.
SubmittedUrl = Annotated[str, Field(max_length=MAX_URL_LENGTH)]


class ProjectIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=5000)


class ProjectDeletedOut(BaseModel):
    id: str
    event_id: str
    cancelled_jobs: list[str]  # active jobs cancelled before the deletion


class JobRequest(BaseModel):
    """Minimal body: `{"urls": [...]}`; any config section or value left out keeps its default."""

    model_config = ConfigDict(extra="forbid")
    urls: list[SubmittedUrl] = Field(max_length=10_000)
    config: JobConfig = JobConfig()


class JobAccepted(BaseModel):
    job_id: str
    project_id: str
    status: str = "pending"
    accepted: list[str]
    rejected: list[RejectedUrl]
    config: JobConfig


class ExportRequest(ExportConfig):
    """A finished job's export in a format (and splits); a repeated `request_id` asks for
    the same export again, and gets it without a second one being written."""

    request_id: str | None = Field(default=None, min_length=1, max_length=200)


class ExportAccepted(BaseModel):
    job_id: str
    export_id: str
    event_id: str
    format: str
    exports_url: str  # where the export is listed once written


class CancelAccepted(BaseModel):
    job_id: str
    event_id: str
    reason: str


# An edited text may be this long; the factory's own examples are far shorter.
MAX_EDIT_CHARS = 20_000


MAX_NOTE_CHARS = 2_000


def _text(nullable: bool) -> dict[str, Any]:
    text = {"type": "string", "maxLength": MAX_EDIT_CHARS, "pattern": r"\S"}
    return {"anyOf": [text, {"type": "null"}]} if nullable else text


def _one_of_actions(schema: dict[str, Any]) -> None:
    """The schema states what `_text_fits_action` checks, so clients see it: an edit has a
    non-blank input or output; approve and reject have neither."""
    keeps = {
        "properties": {
            "action": {"enum": ["approve", "reject"]},
            "input": {"type": "null"},
            "output": {"type": "null"},
        }
    }
    edits = {
        "properties": {"action": {"const": "edit"}, "input": _text(True), "output": _text(True)},
        "anyOf": [
            {"required": [side], "properties": {side: _text(False)}} for side in ("input", "output")
        ],
    }
    schema["oneOf"] = [keeps, edits]


class ReviewRequest(BaseModel):
    """`edit` carries a new input, output or both; approve and reject carry no text."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_one_of_actions)
    action: ReviewAction
    input: str | None = Field(default=None, max_length=MAX_EDIT_CHARS)
    output: str | None = Field(default=None, max_length=MAX_EDIT_CHARS)
    note: str = Field(default="", max_length=MAX_NOTE_CHARS)
    request_id: str | None = Field(
        default=None, min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.:-]+$"
    )

    @model_validator(mode="after")
    def _text_fits_action(self) -> ReviewRequest:
        edited = [text for text in (self.input, self.output) if text is not None]
        if self.action != "edit" and edited:
            raise ValueError(f"{self.action} keeps the text: send input or output only to edit")
        if self.action == "edit" and not edited:
            raise ValueError("an edit needs a new input or output")
        if any(not text.strip() for text in edited):
            raise ValueError("an edited input or output must not be empty")
        return self


class ReviewAccepted(BaseModel):
    event_id: str
    example: ExampleOut
