"""Ops fixtures: settings whose replicas flush their metrics often, and a Redis client."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from redis.asyncio import Redis

from shared.settings import Settings


@pytest.fixture
def ops_settings(settings: Settings, tmp_path: Path) -> Settings:
    return settings.model_copy(
        update={"metrics_flush_s": 0.1, "heartbeat_dir": tmp_path / "health"}
    )


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url)
    yield client
    await client.aclose()
