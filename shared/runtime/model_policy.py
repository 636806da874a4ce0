"""Which model a job may spend the operator's key on: one the deployment allows, and one it can
price (or its spending cap could never trigger) unless the job spends nothing (a dry run).

The gateway refuses such a job with 422; the factory refuses its items again (defence in depth
for work that reached the stream another way)."""

from __future__ import annotations

from dataclasses import dataclass

from shared.contract.config import GenerationConfig
from shared.runtime import costs
from shared.settings import Settings


@dataclass(frozen=True)
class Refusal:
    reason: str  # model_not_allowed | model_unpriced
    detail: str


def job_model(settings: Settings, gen: GenerationConfig) -> str:
    return gen.model or settings.llm_model


def refusal(settings: Settings, gen: GenerationConfig) -> Refusal | None:
    """Why the job's model may not be called, or None when it may.

    Loads litellm's price map on first use (seconds): off the event loop in the gateway."""
    model = job_model(settings, gen)
    if model not in settings.allowed_models:
        allowed = ", ".join(sorted(settings.allowed_models))
        detail = f"model {model!r} is not allowed here (allowed: {allowed}; DATAFACTORY_LLM_MODELS)"
        return Refusal("model_not_allowed", detail)
    if not gen.dry_run and costs.price(model, settings.llm_price_per_1k_tokens) is None:
        detail = (
            f"model {model!r} has no price in litellm's map, so no spending cap could stop it; "
            "the operator may set DATAFACTORY_LLM_PRICE_PER_1K_TOKENS"
        )
        return Refusal("model_unpriced", detail)
    return None
