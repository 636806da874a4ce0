"""A job's submission, as the API and the new-job page make it: its template resolved and
fixed, its models allowed and its spending capped, then its cost estimated or the job
submitted. A refusal is an HTTPException with the status and reason the API answers."""

from __future__ import annotations

import asyncio

from fastapi import HTTPException

from services.gateway.commands import admission, templates
from services.gateway.commands import jobs as commands
from services.gateway.commands.bodies import JobAccepted, JobRequest
from services.gateway.container import Gateway, written_visible
from services.gateway.queries.estimate import estimate_submission
from services.gateway.queries.job_models import RejectedUrl, SubmissionEstimate
from shared.contract.config import JobConfig


async def resolved(gw: Gateway, config: JobConfig) -> JobConfig:
    """The job's config with its template resolved and fixed (see `templates.resolve`); 422
    with the reason, before anything is fetched or spent."""
    try:
        gen = await templates.resolve(gw.redis, config.generation)
    except templates.TemplateRefused as exc:
        raise HTTPException(exc.status, detail={"message": str(exc)}) from None
    return config.model_copy(update={"generation": gen})


async def estimate(gw: Gateway, body: JobRequest) -> SubmissionEstimate:
    """Pages -> chunks -> tokens -> dollars; `refusal` says why submitting would fail."""
    config, refused = admission.with_spending_cap(body.config, gw.settings), None
    try:  # a user template is priced from its saved spec, as the job would run it
        gen = await templates.resolve(gw.redis, config.generation)
        config = config.model_copy(update={"generation": gen})
    except templates.TemplateRefused as exc:
        refused = str(exc)
    # The first estimate loads litellm's price map (seconds): never on the event loop.
    found = await asyncio.to_thread(estimate_submission, gw.settings, body.urls, config)
    return found if refused is None else found.model_copy(update={"refusal": refused})


async def submit(gw: Gateway, project_id: str, body: JobRequest) -> JobAccepted:
    """Submits the job once it is admitted; returns once the read models show it."""
    config = await resolved(gw, body.config)
    await admission.check_models(config, gw.settings)
    config = admission.with_spending_cap(config, gw.settings)
    submission = await commands.submit_job(gw.redis, project_id, body.urls, config)
    await written_visible(gw, submission.written)
    return JobAccepted(
        job_id=submission.job.job_id,
        project_id=project_id,
        accepted=submission.job.urls,
        rejected=[RejectedUrl(url=r.url, reason=r.reason) for r in submission.rejected],
        config=submission.job.config,
    )
