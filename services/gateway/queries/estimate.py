"""A job's cost estimate: what generating the chunks made so far costs."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from services.gateway.readmodel.tables import chunks, jobs
from shared import costs
from shared.config import GenerationConfig, JobConfig
from shared.settings import Settings

if TYPE_CHECKING:  # schemas imports this module's models
    from services.gateway.api.schemas import JobStatus


class Estimate(BaseModel):
    """What generating every chunk made so far costs, before the factory has run them."""

    chunks: int
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float
    priced: bool
    model: str


async def estimate(engine: AsyncEngine, settings: Settings, job_id: str) -> Estimate | None:
    query = select(func.count(), func.coalesce(func.sum(chunks.c.token_count), 0)).where(
        chunks.c.job_id == job_id, chunks.c.status == "made"
    )
    async with engine.connect() as conn:
        count, tokens = (await conn.execute(query)).one()
        config = (await conn.execute(select(jobs.c.config).where(jobs.c.id == job_id))).scalar()
    if config is None:
        return None
    gen = JobConfig.model_validate(config).generation
    model = gen.model or settings.llm_model
    average = int(tokens) // count if count else 0
    # The first estimate loads litellm's price map (seconds): never on the event loop.
    per_1k = settings.llm_price_per_1k_tokens
    found = await asyncio.to_thread(costs.estimate_average, gen, model, int(count), average, per_1k)
    return Estimate(**vars(found), model=model)


class BatchSaving(BaseModel):
    """A batch-mode job's spending against what the same tokens cost online."""

    online_usd: float
    paid_usd: float
    saved_usd: float


async def batch_saving(
    engine: AsyncEngine, settings: Settings, job: JobStatus
) -> BatchSaving | None:
    async with engine.connect() as conn:
        config = (await conn.execute(select(jobs.c.config).where(jobs.c.id == job.id))).scalar()
    if config is None or JobConfig.model_validate(config).generation.mode != "batch":
        return None
    model = JobConfig.model_validate(config).generation.model or settings.llm_model
    args = (model, job.prompt_tokens, job.completion_tokens, job.cost_usd)
    found = await asyncio.to_thread(costs.batch_saving, *args, settings.llm_price_per_1k_tokens)
    if found is None:
        return None
    return BatchSaving(online_usd=found[0], paid_usd=job.cost_usd, saved_usd=found[1])


async def warm_up(model: str) -> None:
    """Loads the price map and template token counts ahead of the first job page."""
    await asyncio.to_thread(costs.estimate_average, GenerationConfig(), model, 1, 100)
