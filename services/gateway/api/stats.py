"""Health and dashboard-wide figures."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Query, Response

from services.gateway.api.deps import GatewayDep
from services.gateway.api.problems import problems
from services.gateway.api.schemas import Health
from services.gateway.queries import costs, views
from services.gateway.queries.stat_models import CostStats, Overview

router = APIRouter()


@router.get("/health", responses={503: {"model": Health, "description": "Redis or SQLite down"}})
async def health(gw: GatewayDep, response: Response) -> Health:
    redis_ok, failures = await asyncio.gather(
        gw.redis.ping(), views.projection_failures(gw.reader), return_exceptions=True
    )
    redis_ok, db_ok = redis_ok is True, isinstance(failures, int)
    if not (redis_ok and db_ok):
        response.status_code = 503
    return Health(
        status="ok" if redis_ok and db_ok else "degraded",
        redis=redis_ok,
        database=db_ok,
        projector=gw.projector.positions,
        projection_failures=failures if isinstance(failures, int) else 0,
    )


@router.get("/api/stats/overview")
async def stats_overview(gw: GatewayDep) -> Overview:
    return await views.overview(gw.reader)


@router.get("/api/stats/costs", responses=problems(422))
async def stats_costs(gw: GatewayDep, days: Annotated[int, Query(ge=1, le=366)] = 7) -> CostStats:
    """LLM spending per day (UTC), model and stage over the last `days` days."""
    return await costs.cost_stats(gw.reader, days, default_model=gw.settings.llm_model)
