"""A job's examples as reviewed: one filtered, paged query over `training_examples` and the
latest review of each (`example_reviews`), for the results page, its API and the benchmark."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, and_, case, func, literal, select, true
from sqlalchemy.ext.asyncio import AsyncEngine

from services.gateway.api.example_schemas import (
    PAGE_SIZE,
    ExampleFilters,
    ExampleOut,
    ExamplePage,
    Review,
)
from services.gateway.readmodel.tables import example_reviews, jobs, training_examples

te, r = training_examples.c, example_reviews.c
DEFAULT_MIN_SCORE = 0.7


def _latest(scope: Any) -> Any:
    """Each example's reviews ranked newest first, overall and among edits; the reviewed
    state is the latest review's verdict with the latest edit's text."""
    newest = (r.reviewed_at.desc(), r.event_id.desc())
    return (
        select(
            example_reviews,
            func.row_number().over(partition_by=r.example_id, order_by=newest).label("nth"),
            func.row_number()
            .over(partition_by=(r.example_id, r.action == "edit"), order_by=newest)
            .label("nth_kind"),
        )
        .where(scope)
        .cte("ranked")
    )


def _select(scope: Any, job_id: Any) -> tuple[Select[Any], Any]:
    ranked = _latest(scope)
    last, edit = ranked.alias("last"), ranked.alias("edit")
    original = case(
        (te.passed_qc.is_(None), "unscored"), (te.passed_qc, "passed"), else_="rejected"
    )
    verdict = case(
        (last.c.action.is_(None), original), (last.c.action == "reject", "rejected"), else_="passed"
    )
    min_score = (
        select(func.json_extract(jobs.c.config, "$.quality.min_score"))
        .where(jobs.c.id == job_id)
        .scalar_subquery()
    )
    query = (
        select(
            training_examples,
            verdict.label("verdict"),
            func.coalesce(min_score, DEFAULT_MIN_SCORE).label("min_score"),
            *(last.c[n].label(f"last_{n}") for n in ("event_id", "action", "note", "reviewed_at")),
            last.c.input_text.label("last_input"),
            last.c.output_text.label("last_output"),
            edit.c.input_text.label("edit_input"),
            edit.c.output_text.label("edit_output"),
        )
        .outerjoin(last, and_(last.c.example_id == te.id, last.c.nth == 1))
        .outerjoin(
            edit, and_(edit.c.example_id == te.id, edit.c.action == "edit", edit.c.nth_kind == 1)
        )
    )
    return query, (verdict, last, min_score)


def _filtered(query: Select[Any], parts: Any, f: ExampleFilters) -> Select[Any]:
    verdict, last, min_score = parts
    conditions = [
        verdict == f.verdict if f.verdict else true(),
        te.quality_score >= f.min_score if f.min_score is not None else true(),
        te.quality_score <= f.max_score if f.max_score is not None else true(),
        te.url.contains(f.url, autoescape=True) if f.url else true(),
    ]
    if f.reviewed is not None:
        conditions.append(last.c.action.is_not(None) if f.reviewed else last.c.action.is_(None))
    if f.check is not None:
        score = func.json_extract(te.quality_details, literal(f"$.scores.{f.check}"))
        conditions.append(score < func.coalesce(min_score, DEFAULT_MIN_SCORE))
    return query.where(*conditions)


def _review(row: Any) -> Review | None:
    if row.last_action is None:
        return None
    return Review(
        event_id=row.last_event_id,
        action=row.last_action,
        input=row.last_input,
        output=row.last_output,
        note=row.last_note or "",
        reviewed_at=row.last_reviewed_at,
    )


def _example(row: Any) -> ExampleOut:
    scores: dict[str, float] = (row.quality_details or {}).get("scores", {})
    return ExampleOut(
        id=row.id,
        job_id=row.job_id,
        url=row.url,
        template=row.template_type,
        input=row.edit_input if row.edit_input is not None else row.input_text or "",
        output=row.edit_output if row.edit_output is not None else row.output_text or "",
        original_input=row.input_text or "",
        original_output=row.output_text or "",
        scores=scores,
        quality_score=row.quality_score,
        reasons=row.reasons or [],
        failing=sorted(name for name, s in scores.items() if s < row.min_score),
        passed_qc=row.passed_qc,
        verdict=row.verdict,
        review=_review(row),
        created_at=row.created_at,
    )


async def examples_page(
    reader: AsyncEngine, job_id: str, filters: ExampleFilters, page: int = 1
) -> ExamplePage:
    """Page `page` (from 1) of the job's examples that match, in example-id order, and how
    many match: one query, whose total comes from a window over the matching rows."""
    query, parts = _select(r.job_id == job_id, job_id)
    query = _filtered(query.where(te.job_id == job_id), parts, filters)
    paged = query.add_columns(func.count().over().label("total")).order_by(te.id)
    paged = paged.limit(PAGE_SIZE).offset((max(page, 1) - 1) * PAGE_SIZE)
    async with reader.connect() as conn:
        rows = (await conn.execute(paged)).all()
        if rows:
            total = rows[0].total
        else:  # a page past the end: the window had no row to report the count on
            counted = select(func.count()).select_from(query.subquery())
            total = (await conn.execute(counted)).scalar_one()
    examples = [_example(row) for row in rows]
    return ExamplePage(
        job_id=job_id, page=max(page, 1), page_size=PAGE_SIZE, total=total, examples=examples
    )


async def get_example(reader: AsyncEngine, example_id: str) -> ExampleOut | None:
    """One example as reviewed, whichever job it belongs to."""
    job = select(te.job_id).where(te.id == example_id).scalar_subquery()
    query, _ = _select(r.example_id == example_id, job)
    async with reader.connect() as conn:
        row = (await conn.execute(query.where(te.id == example_id))).first()
    return _example(row) if row else None
