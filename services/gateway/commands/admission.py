"""What a deployment lets a job spend, settled at submission: a model it allows and can price
(422 with the reason otherwise, before anything runs), and a spending cap in every job's config."""

from __future__ import annotations

import asyncio

from fastapi import HTTPException

from shared.contract.config import GenerationConfig, JobConfig
from shared.runtime import model_policy
from shared.settings import Settings


async def check_models(config: JobConfig, settings: Settings) -> None:
    """The generation model, and the judge's if one is named: each call carries the key."""
    gens = [config.generation]
    if config.quality.judge_model is not None:
        gens.append(GenerationConfig(model=config.quality.judge_model))
    for gen in gens:
        # The first price look-up loads litellm's map (seconds): never on the event loop.
        refused = await asyncio.to_thread(model_policy.refusal, settings, gen)
        if refused is not None:
            raise HTTPException(422, detail={"message": refused.detail, "reason": refused.reason})


def with_spending_cap(config: JobConfig, settings: Settings) -> JobConfig:
    """The job's own cap, else the deployment's default, fixed in its config like the rest."""
    if config.generation.max_cost_usd is not None:
        return config
    cap = {"max_cost_usd": settings.default_max_cost_usd}
    return config.model_copy(update={"generation": config.generation.model_copy(update=cap)})
