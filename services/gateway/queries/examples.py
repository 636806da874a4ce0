"""A job's examples as reviewed: one filtered, paged query over `training_examples` and each
example's latest review (`example_reviews`), for the results page, its API and the benchmark.

The reviewed state is the latest review's verdict (approve and edit keep an example, reject
drops it) with the latest edit's text, latest by (`reviewed_at`, `event_id`); the shipper
applies the same rule to its export (`services/shipper/reviews.py`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import FromClause, Select, case, func, literal, select
from sqlalchemy.ext.asyncio import AsyncEngine

from services.gateway.queries.example_models import (
    PAGE_SIZE,
    ExampleFilters,
    ExampleOut,
    ExamplePage,
    Review,
)
from services.gateway.readmodel.tables import example_reviews, jobs, training_examples
from shared.contract.config import QualityConfig
from shared.contract.edits import faults

te, r = training_examples.c, example_reviews.c
DEFAULT_MIN_SCORE = QualityConfig().min_score  # a job whose config is not projected yet
LAST, EDIT = example_reviews.alias("last_review"), example_reviews.alias("last_edit")


def _latest(edits_only: bool = False) -> Any:
    """The id of the example's newest review (or edit): an index seek."""
    mine = example_reviews.alias("newest")
    query = select(mine.c.event_id).where(mine.c.job_id == te.job_id, mine.c.example_id == te.id)
    query = query.where(mine.c.action == "edit") if edits_only else query
    newest = query.order_by(mine.c.reviewed_at.desc(), mine.c.event_id.desc()).limit(1)
    return newest.correlate(training_examples).scalar_subquery()


def _verdict(action: Any) -> Any:
    original = case(
        (te.passed_qc.is_(None), "unscored"), (te.passed_qc, "passed"), else_="rejected"
    )
    return case(
        (te.duplicate_of.is_not(None), "rejected"),  # an export left it out as a copy
        (action.is_(None), original),
        (action == "reject", "rejected"),
        else_="passed",
    )


def _min_score(job_id: Any) -> Any:
    found = select(func.json_extract(jobs.c.config, "$.quality.min_score"))
    return func.coalesce(found.where(jobs.c.id == job_id).scalar_subquery(), DEFAULT_MIN_SCORE)


def _conditions(job_id: str, f: ExampleFilters) -> list[Any]:
    """The filters over the examples' own columns; the review's only where asked for."""
    found = [te.job_id == job_id]
    if f.verdict is not None or f.reviewed is not None:
        latest = select(r.action).where(r.event_id == _latest()).correlate(training_examples)
        action = latest.scalar_subquery()
        found += [_verdict(action) == f.verdict] if f.verdict else []
        found += [] if f.reviewed is None else [action.is_not(None) == f.reviewed]
    found += [] if f.min_score is None else [te.quality_score >= f.min_score]
    found += [] if f.max_score is None else [te.quality_score <= f.max_score]
    found += [te.url.contains(f.url, autoescape=True)] if f.url else []
    if f.check is not None:
        score = func.json_extract(te.quality_details, literal(f"$.scores.{f.check}"))
        found.append(score < _min_score(job_id))
    return found


def _shown(job_id: Any, examples: FromClause = training_examples) -> Select[Any]:
    """Every column the results show of an example, its latest review and latest edit;
    `examples` is the examples' table or a join that holds it."""
    columns = ("event_id", "action", "note", "reviewed_at", "input_text", "output_text")
    joined = examples.outerjoin(LAST, LAST.c.event_id == _latest())
    joined = joined.outerjoin(EDIT, EDIT.c.event_id == _latest(edits_only=True))
    return select(
        training_examples,
        _verdict(LAST.c.action).label("verdict"),
        _min_score(job_id).label("min_score"),
        *(LAST.c[name].label(f"last_{name}") for name in columns),
        EDIT.c.input_text.label("edit_input"),
        EDIT.c.output_text.label("edit_output"),
    ).select_from(joined)


def _review(row: Any) -> Review | None:
    if row.last_action is None:
        return None
    return Review(
        event_id=row.last_event_id,
        action=row.last_action,
        input=row.last_input_text,
        output=row.last_output_text,
        note=row.last_note or "",
        reviewed_at=row.last_reviewed_at,
    )


def _copy(row: Any) -> list[str]:
    """The export's reason for leaving out a copy, as `rejected.jsonl` gives it."""
    if row.duplicate_of is None:
        return []
    how = row.duplicate_similarity
    if how == "exact":
        return [f"duplicate_of:{row.duplicate_of}"]
    return [f"near_duplicate_of:{row.duplicate_of}(cos={how})"]


def _example(row: Any) -> ExampleOut:
    details = row.quality_details or {}
    scores: dict[str, float] = details.get("scores", {})
    text = (
        row.edit_input if row.edit_input is not None else row.input_text or "",
        row.edit_output if row.edit_output is not None else row.output_text or "",
    )
    edited = row.edit_input is not None or row.edit_output is not None
    # An edit kept by its review is scored again as the export scores it (shared.contract.edits).
    refused = faults(*text) if edited and row.verdict == "passed" else []
    return ExampleOut(
        id=row.id,
        job_id=row.job_id,
        url=row.url,
        template=row.template_type,
        input=text[0],
        output=text[1],
        original_input=row.input_text or "",
        original_output=row.output_text or "",
        scores=scores,
        quality_score=row.quality_score,
        reasons=refused or _copy(row) or row.reasons or [],
        warnings=details.get("warnings", []),
        failing=sorted(name for name, s in scores.items() if s < row.min_score),
        passed_qc=row.passed_qc,
        duplicate_of=row.duplicate_of,
        verdict="rejected" if refused else row.verdict,
        review=_review(row),
        created_at=row.created_at,
    )


async def examples_page(
    reader: AsyncEngine, job_id: str, filters: ExampleFilters, page: int = 1
) -> ExamplePage:
    """Page `page` (from 1) of the job's examples that match, in example-id order, and how
    many match. One query: the matching ids are counted (a window) and paged over the
    (job_id, id) index, then only the page's rows are read whole."""
    page = max(page, 1)
    matching = select(te.id).where(*_conditions(job_id, filters))
    ids = matching.add_columns(func.count().over().label("total")).order_by(te.id)
    chosen = ids.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE).subquery("page")
    paged = chosen.join(training_examples, training_examples.c.id == chosen.c.id)
    query = _shown(job_id, paged).add_columns(chosen.c.total)
    async with reader.connect() as conn:
        rows = (await conn.execute(query.order_by(te.id))).all()
        if rows:
            total = rows[0].total
        else:  # a page past the end: the window had no row to report the count on
            counted = select(func.count()).select_from(matching.subquery())
            total = (await conn.execute(counted)).scalar_one()
    examples = [_example(row) for row in rows]
    return ExamplePage(
        job_id=job_id, page=page, page_size=PAGE_SIZE, total=total, examples=examples
    )


async def get_example(reader: AsyncEngine, example_id: str) -> ExampleOut | None:
    """One example as reviewed, whichever job it belongs to."""
    query = _shown(te.job_id).where(te.id == example_id)
    async with reader.connect() as conn:
        row = (await conn.execute(query)).first()
    return _example(row) if row else None


async def job_state(reader: AsyncEngine, job_id: str) -> str | None:
    """The job's status, or None for a job the read model does not know: one row read."""
    async with reader.connect() as conn:
        found = await conn.execute(select(jobs.c.status).where(jobs.c.id == job_id))
        return found.scalar_one_or_none()
