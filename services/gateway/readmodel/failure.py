"""Why a completed job failed, decided from its counted outcomes, so a rebuild decides the same.

Checked in order, the first that holds names the failure (None: the job succeeded):
no_pages_fetched (every URL failed), no_text (the pages held nothing to chunk),
spending_cap_reached (chunks were skipped for the job's cap), no_examples (no chunk produced
any), export_failed (the shipper failed and no export exists). A cancelled job is cancelled,
whatever these say.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, case, func, or_, select

from services.gateway.readmodel.tables import chunks, exports, jobs, outcomes, raw_documents

# The stage each failure stopped at, for the job's current stage.
FAILED_AT = {
    "no_pages_fetched": "spider",
    "no_text": "refiner",
    "spending_cap_reached": "factory",
    "no_examples": "factory",
    "export_failed": "shipper",
}


def _outcomes(*conditions: Any) -> Any:
    where = and_(outcomes.c.job_id == jobs.c.id, *conditions)
    return select(func.count()).select_from(outcomes).where(where).scalar_subquery()


def _summed(column: Any) -> Any:
    of_job = column.table.c.job_id == jobs.c.id
    return select(func.coalesce(func.sum(column), 0)).where(of_job).scalar_subquery()


def _exported() -> Any:
    return select(func.count()).select_from(exports).where(exports.c.job_id == jobs.c.id)


def error() -> Any:
    """The failure of the job row being updated; SQLite evaluates only what a case reaches,
    so a running job costs none of the counts."""
    o = outcomes.c
    return case(
        (jobs.c.completed_at.is_(None), None),
        # A page the refiner reported on was fetched, even if its own report was not applied.
        (
            _outcomes(or_(and_(o.stage == "spider", o.outcome == "ok"), o.stage == "refiner")) == 0,
            "no_pages_fetched",
        ),
        (_summed(raw_documents.c.chunk_count) == 0, "no_text"),
        (
            _outcomes(o.stage == "factory", o.reason == "budget_exhausted") > 0,
            "spending_cap_reached",
        ),
        (_summed(chunks.c.examples) == 0, "no_examples"),
        (
            and_(
                _outcomes(o.stage == "shipper", o.outcome == "failed") > 0,
                _exported().scalar_subquery() == 0,
            ),
            "export_failed",
        ),
        else_=None,
    )
