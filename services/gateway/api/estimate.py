"""The cost estimate of a job before it is submitted."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter

from services.gateway.api.deps import GatewayDep
from services.gateway.api.schemas import JobRequest, SubmissionEstimate
from services.gateway.commands import templates
from services.gateway.commands.admission import with_spending_cap
from services.gateway.queries.estimate import estimate_submission

router = APIRouter()


@router.post("/api/estimate")
async def estimate(body: JobRequest, gw: GatewayDep) -> SubmissionEstimate:
    """Pages -> chunks -> tokens -> dollars for the URLs and config a job would be submitted
    with; bad URLs are listed with reasons, and `refusal` says why submitting would fail."""
    config, refused = with_spending_cap(body.config, gw.settings), None
    try:  # a user template is priced from its saved spec, as the job would run it
        gen = await templates.resolve(gw.redis, config.generation)
        config = config.model_copy(update={"generation": gen})
    except templates.TemplateRefused as exc:
        refused = str(exc)
    # The first estimate loads litellm's price map (seconds): never on the event loop.
    found = await asyncio.to_thread(estimate_submission, gw.settings, body.urls, config)
    return found if refused is None else found.model_copy(update={"refusal": refused})
