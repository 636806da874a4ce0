"""The cost estimate of a job before it is submitted."""

from __future__ import annotations

from fastapi import APIRouter

from services.gateway.api.deps import GatewayDep
from services.gateway.api.problems import problems
from services.gateway.commands import submission
from services.gateway.commands.bodies import JobRequest
from services.gateway.queries.job_models import SubmissionEstimate

router = APIRouter()


@router.post("/api/estimate", responses=problems(422))
async def estimate(body: JobRequest, gw: GatewayDep) -> SubmissionEstimate:
    """Pages -> chunks -> tokens -> dollars for the URLs and config a job would be submitted
    with; bad URLs are listed with reasons, and `refusal` says why submitting would fail."""
    return await submission.estimate(gw, body)
