"""What the statistics queries return: totals and LLM spending by day, model and stage."""

from __future__ import annotations

from pydantic import BaseModel


class Overview(BaseModel):
    projects: int
    jobs: int
    active_jobs: int
    completed_jobs: int
    failed_jobs: int
    cancelled_jobs: int
    examples: int
    examples_passed: int
    cost_usd: float
    tokens: int
    exports: int


class CostSlice(BaseModel):
    """Spending in one cell of the statistics: a day, a model, a stage or all three."""

    cost_usd: float
    prompt_tokens: int
    completion_tokens: int


class CostCell(CostSlice):
    day: str  # YYYY-MM-DD, UTC
    model: str
    stage: str  # factory (generation) | inspector (the LLM judge)


class CostDay(CostSlice):
    day: str


class CostByModel(CostSlice):
    model: str


class CostByStage(CostSlice):
    stage: str


class CostStats(BaseModel):
    """LLM spending over the last `days` days (today included), from the log's reports."""

    days: int
    since: str  # the first day counted
    total: CostSlice
    by_day: list[CostDay]  # every day of the window in order, zero where nothing was spent
    by_model: list[CostByModel]  # most expensive first
    by_stage: list[CostByStage]
    cells: list[CostCell]  # day x model x stage, for stacked charts
