"""The cost estimate of a job before it is submitted."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter

from services.gateway.api.deps import GatewayDep
from services.gateway.api.schemas import JobRequest, SubmissionEstimate
from services.gateway.commands.admission import with_spending_cap
from services.gateway.queries.estimate import estimate_submission

router = APIRouter()


@router.post("/api/estimate")
async def estimate(body: JobRequest, gw: GatewayDep) -> SubmissionEstimate:
    """Pages -> chunks -> tokens -> dollars for the URLs and config a job would be submitted
    with; bad URLs are listed with reasons, and `refusal` says why submitting would fail."""
    config = with_spending_cap(body.config, gw.settings)
    # The first estimate loads litellm's price map (seconds): never on the event loop.
    return await asyncio.to_thread(estimate_submission, gw.settings, body.urls, config)
