"""What the results query takes and returns: filters, a page of examples, their reviews."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field

from shared.contract.config import CheckName

Verdict = Literal["passed", "rejected", "unscored"]


ReviewAction = Literal["approve", "reject", "edit"]


PAGE_SIZE = 50


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
