"""What the job queries return: projects, jobs with their progress, estimates, exports
and log entries."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, computed_field

from shared.ops.totals import FactoryTotals


class ProjectOut(BaseModel):
    id: str
    name: str | None
    description: str | None
    created_at: str | None
    job_count: int = 0


class RejectedUrl(BaseModel):
    url: str
    reason: str


class Estimate(BaseModel):
    """What generating every chunk made so far costs, before the factory has run them, and
    the most the whole job will cost, refined from the sizes of the pages fetched so far."""

    chunks: int
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float
    priced: bool
    model: str
    # The top: chunks made, plus what the fetched pages not refined yet make at most, plus the
    # submission estimate's top for each page still to fetch.
    top_chunks: int = 0
    top_usd: float = 0.0
    pages_sized: int = 0  # fetched pages whose sizes the top is refined from
    pages_to_fetch: int = 0
    chunks_over_cap: int = 0  # chunks past processing.max_chunks_per_page, never sent


class BatchSaving(BaseModel):
    """A batch-mode job's spending against what the same tokens cost online."""

    online_usd: float
    paid_usd: float
    saved_usd: float


class Span(BaseModel):
    low: int
    high: int


class CostSpan(BaseModel):
    low: float
    high: float


class SubmissionEstimate(BaseModel):
    """What a job would cost before it is submitted: pages -> chunks -> tokens -> dollars at
    the price of the job's generation mode, as a range over how much text a page holds."""

    accepted: list[str]
    rejected: list[RejectedUrl]
    model: str
    mode: str  # online | batch
    priced: bool  # False: no price known for the model, cost_usd is 0
    refusal: str | None  # why submitting this job would be refused, if it would
    pages: Span
    chunks: Span
    prompt_tokens: Span
    completion_tokens: Span
    cost_usd: CostSpan
    max_cost_usd: float  # the spending cap the job would run with
    basis: str  # the assumptions behind the range


class StageProgress(BaseModel):
    total: int = 0
    failed: int = 0
    skipped: int = 0


class SpiderProgress(StageProgress):
    fetched: int = 0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def settled(self) -> int:
        return self.fetched + self.failed + self.skipped


class RefinerProgress(StageProgress):
    documents: int = 0
    chunks: int = 0
    dropped: int = 0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def settled(self) -> int:
        return self.documents + self.failed + self.skipped


class FactoryProgress(StageProgress):
    done: int = 0
    examples: int = 0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def settled(self) -> int:
        return self.done + self.failed + self.skipped


class InspectorProgress(StageProgress):
    passed: int = 0
    rejected: int = 0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def settled(self) -> int:
        return self.passed + self.rejected + self.failed + self.skipped


class Stages(BaseModel):
    spider: SpiderProgress
    refiner: RefinerProgress
    factory: FactoryProgress
    inspector: InspectorProgress


class ExportOut(BaseModel):
    id: str
    job_id: str
    format: str
    path: str
    card_path: str
    record_count: int
    rejected_count: int
    version: str
    created_at: str | None
    download_url: str
    card_url: str
    manifest_path: str | None = None
    splits: dict[str, int] = {}


class ProviderBatch(BaseModel):
    """A provider batch holding some of the job's chunks; `waiting` have no outcome yet."""

    batch_id: str
    chunks: int
    waiting: int


class JobError(BaseModel):
    """Why a job failed: a reason code and what it means for this job."""

    reason: str  # no_pages_fetched | no_text | spending_cap_reached | no_examples | export_failed
    detail: str


class JobStatus(BaseModel):
    id: str
    project_id: str | None
    project_name: str | None
    status: str  # pending | running | completed | failed | cancelled
    # The earliest stage with unsettled items, then shipper, then done; a failed job's is
    # the stage it failed at.
    stage: str
    finished: bool  # every work item has an outcome (JobCompleted was projected)
    url_count: int
    invalid_urls: int
    submitted_at: str | None
    started_at: str | None
    completed_at: str | None
    cancelled_at: str | None
    stages: Stages
    cost_usd: float
    prompt_tokens: int
    completion_tokens: int
    tokens: int
    exports: list[ExportOut]
    projection_failures: int = 0  # the job's log entries the read models could not apply
    provider_batches: list[ProviderBatch] = []
    error: JobError | None = None  # set when the status is failed


class JobDetail(JobStatus):
    """One job with the figures that are not in the log: live LLM counters and the estimate."""

    llm: FactoryTotals
    estimate: Estimate | None
    batch_saving: BatchSaving | None = None  # batch mode: against the same tokens online


LogLevel = Literal["info", "warning", "error"]


class LogEntry(BaseModel):
    event_id: str
    level: LogLevel  # info: ok, warning: skipped, error: failed
    stage: str  # gateway (submission), spider, refiner, factory, inspector, shipper
    item_id: str | None
    outcome: str  # ok | failed | skipped
    reason: str | None
    detail: str | None
    url: str | None
    at: str | None
