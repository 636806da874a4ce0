"""A job's cost estimate: what generating the chunks made so far costs."""

from __future__ import annotations

import asyncio

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from services.gateway.tables import chunks, jobs
from shared import costs
from shared.config import GenerationConfig, JobConfig
from shared.settings import Settings


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


async def warm_up(model: str) -> None:
    """Loads the price map and template token counts ahead of the first job page."""
    await asyncio.to_thread(costs.estimate_average, GenerationConfig(), model, 1, 100)
