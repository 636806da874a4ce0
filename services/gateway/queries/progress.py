"""Per-stage progress of a job from counted outcomes; pure, no I/O."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from services.gateway.queries.job_models import (
    FactoryProgress,
    InspectorProgress,
    JobError,
    RefinerProgress,
    SpiderProgress,
    Stages,
)
from shared.contract.streams import STAGES

# Stages that report item progress; the shipper's progress is the export itself.
PROGRESS_STAGES = STAGES[:-1]


@dataclass
class JobCounts:
    """What the read models count for one job."""

    url_count: int = 0
    outcomes: Counter[tuple[str, str]] = field(default_factory=Counter)  # (stage, kind) -> n
    chunks: int = 0
    dropped: int = 0
    examples: int = 0
    passed: int = 0
    rejected: int = 0


def stages_of(c: JobCounts) -> Stages:
    """Each stage's total is what the stage before it produced."""
    o = c.outcomes
    fetched = o["spider", "ok"]
    documents = o["refiner", "ok"]
    return Stages(
        spider=SpiderProgress(total=c.url_count, fetched=fetched, **_bad(o, "spider")),
        refiner=RefinerProgress(
            total=fetched,
            documents=documents,
            chunks=c.chunks,
            dropped=c.dropped,
            **_bad(o, "refiner"),
        ),
        factory=FactoryProgress(
            total=c.chunks, done=o["factory", "ok"], examples=c.examples, **_bad(o, "factory")
        ),
        inspector=InspectorProgress(
            total=c.examples, passed=c.passed, rejected=c.rejected, **_bad(o, "inspector")
        ),
    )


def _bad(outcomes: Counter[tuple[str, str]], stage: str) -> dict[str, int]:
    return {"failed": outcomes[stage, "failed"], "skipped": outcomes[stage, "skipped"]}


def current_stage(stages: Stages, finished: bool, exported: bool) -> str:
    """The earliest stage still holding unsettled items; stages run in parallel on a job."""
    if finished:
        return "done" if exported else "shipper"
    for name in PROGRESS_STAGES:
        progress = getattr(stages, name)
        if progress.settled < progress.total:
            return name
    return "shipper"


def job_error(reason: str | None, stages: Stages) -> JobError | None:
    """What a failure reason (see readmodel.failure) means for the job, in its counts."""
    if reason is None:
        return None
    spider, refiner, factory = stages.spider, stages.refiner, stages.factory
    details = {
        "no_pages_fetched": f"none of the {spider.total} pages could be fetched "
        f"({spider.failed} failed, {spider.skipped} skipped)",
        "no_text": f"the {refiner.total} fetched pages held no text to generate from",
        "spending_cap_reached": "the job's spending cap was reached: "
        f"{factory.skipped} of {factory.total} chunks were not generated",
        "no_examples": f"no examples were generated: {factory.failed} of {factory.total} "
        "chunks failed",
        "export_failed": "the export failed; the job's log has the shipper's error",
    }
    return JobError(reason=reason, detail=details.get(reason, reason))
