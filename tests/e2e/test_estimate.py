"""A real job on the LLM simulator: the estimate refined from fetched page sizes bounds its cost."""

from __future__ import annotations

import time
from typing import Any

import pytest

from services.gateway.queries.job_estimate import page_top
from shared.contract.config import JobConfig
from shared.runtime import costs
from shared.settings import Settings
from tests.e2e.conftest import Pipeline, pipeline

# Whole processes on CI's two busy cores: minutes, not the one-minute default.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]
# The bound: for the same settings, the actual cost stays within the top plus 20 %.
SLACK = 1.2


def watch(p: Pipeline, job_id: str, timeout: float = 240) -> tuple[dict[str, Any], list[float]]:
    """The exported job, and every estimate top the API showed once the spider had settled
    every page (refining and generation still running)."""
    deadline, tops = time.monotonic() + timeout, []
    while True:
        job = p.job(job_id)
        spider, estimate = job["stages"]["spider"], job.get("estimate")
        if estimate and spider["settled"] == spider["total"] and not job["exports"]:
            tops.append(estimate["top_usd"])
        if job["exports"]:
            return job, tops
        assert time.monotonic() < deadline, f"job not exported in {timeout}s: {job}"
        time.sleep(0.1)


def size_only_top(p: Pipeline, job_id: str, model: str) -> float:
    """The top from the fetched pages' sizes alone, as before any page was refined."""
    with p.db() as db:
        config = JobConfig.model_validate_json(
            db.execute("SELECT config FROM jobs WHERE id = ?", (job_id,)).fetchone()[0]
        )
        sizes = [r[0] for r in db.execute("SELECT text_tokens FROM raw_documents")]
    chunks = [t for size in sizes for t in page_top(config.processing, size)]
    return costs.estimate(config.generation, model, chunks).cost_usd


def test_the_refined_estimate_bounds_what_a_real_job_spends(
    settings: Settings, corpus_urls: list[str]
) -> None:
    with pipeline(settings, {}) as p:
        job_id = p.submit(corpus_urls)
        job, tops = watch(p, job_id)
        final = p.job(job_id)
        spent, estimate = final["cost_usd"], final["estimate"]
        sized = size_only_top(p, job_id, estimate["model"])
    assert spent > 0 and estimate["pages_sized"] == job["stages"]["spider"]["fetched"] > 0
    assert tops, "the estimate was read while the job ran"
    assert spent <= sized * SLACK, (spent, sized)
    assert all(spent <= top * SLACK for top in tops), (spent, tops)
    assert spent <= estimate["top_usd"] * SLACK and estimate["pages_to_fetch"] == 0
