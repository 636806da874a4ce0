"""Example routes: a job's examples, filtered and paged; a review of one example."""

from __future__ import annotations

import functools
from typing import Annotated

from fastapi import APIRouter, Query

from services.gateway.api.deps import GatewayDep, JobDep, find
from services.gateway.api.example_schemas import ExampleQuery
from services.gateway.api.problems import problems
from services.gateway.commands import reviews as commands
from services.gateway.commands.bodies import ReviewAccepted, ReviewRequest
from services.gateway.container import Gateway
from services.gateway.queries import examples as queries
from services.gateway.queries.example_models import ExampleOut, ExamplePage

router = APIRouter()


@router.get("/api/jobs/{job_id}/examples", responses=problems(404, 422))
async def job_examples(
    job: JobDep, gw: GatewayDep, query: Annotated[ExampleQuery, Query()]
) -> ExamplePage:
    """The job's examples as reviewed, `page_size` a page, in example-id order."""
    return await queries.examples_page(gw.reader, job.id, query, query.page)


async def existing_example(gw: Gateway, example_id: str) -> ExampleOut:
    lookup = functools.partial(queries.get_example, gw.reader, example_id)
    return await find(gw, lookup, "example", example_id)


@router.get("/api/examples/{example_id}", responses=problems(404))
async def get_example(example_id: str, gw: GatewayDep) -> ExampleOut:
    """One example as generated, scored and reviewed."""
    return await existing_example(gw, example_id)


@router.post(
    "/api/examples/{example_id}/review", status_code=202, responses=problems(404, 409, 422)
)
async def review_example(example_id: str, body: ReviewRequest, gw: GatewayDep) -> ReviewAccepted:
    """Approve, reject or edit an example: an ExampleReviewed on the log. The next export of
    its job honours the latest review; the original stays in the results beside it."""
    return await commands.review(gw, await existing_example(gw, example_id), body)
