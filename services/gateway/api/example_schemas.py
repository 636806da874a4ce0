"""Bodies of the example routes: a page of a job's examples, its filters, a review."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field, model_validator

from shared.config import CheckName

Verdict = Literal["passed", "rejected", "unscored"]
ReviewAction = Literal["approve", "reject", "edit"]
PAGE_SIZE = 50
# An edited text may be this long; the factory's own examples are far shorter.
MAX_EDIT_CHARS = 20_000
MAX_NOTE_CHARS = 2_000
MAX_PAGE = 100_000


class ExampleFilters(BaseModel):
    """Every filter left out matches all; `verdict` is the reviewed one, if reviewed."""

    model_config = ConfigDict(extra="forbid")
    verdict: Literal["passed", "rejected"] | None = None
    min_score: float | None = Field(default=None, ge=0, le=1)
    max_score: float | None = Field(default=None, ge=0, le=1)
    check: CheckName | None = Field(default=None, description="a check scored below min_score")
    url: str | None = Field(default=None, max_length=2048, description="a substring of the URL")
    reviewed: bool | None = None


class ExampleQuery(ExampleFilters):
    """The query of `GET /api/jobs/{id}/examples`: the filters and the page, from 1."""

    page: int = Field(default=1, ge=1, le=MAX_PAGE)


class Review(BaseModel):
    event_id: str
    action: ReviewAction
    input: str | None
    output: str | None
    note: str
    reviewed_at: str


class ExampleOut(BaseModel):
    """The example as generated and scored, and as reviewed: `input`, `output` and
    `verdict` are what the next export holds."""

    id: str
    job_id: str
    url: str | None
    template: str | None
    input: str
    output: str
    original_input: str
    original_output: str
    scores: dict[str, float]
    quality_score: float | None
    reasons: list[str] = Field(description="why it is rejected: by named gates or its score")
    warnings: list[str] = Field(description="faults that did not reject it")
    failing: list[str] = Field(description="checks that scored below the job's min_score")
    passed_qc: bool | None = Field(description="the inspector's verdict")
    duplicate_of: str | None = Field(
        default=None, description="the example an export kept in place of this copy"
    )
    verdict: Verdict
    review: Review | None = Field(description="the latest review")
    created_at: str | None


class ExamplePage(BaseModel):
    job_id: str
    page: int
    page_size: int
    total: int
    examples: list[ExampleOut]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


class ReviewRequest(BaseModel):
    """`edit` carries a new input, output or both; approve and reject carry no text."""

    model_config = ConfigDict(extra="forbid")
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
