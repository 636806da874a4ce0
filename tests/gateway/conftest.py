"""Gateway fixtures: a Redis client, read-model engines on a fresh SQLite file, a projector."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from services.gateway.app import create_app
from services.gateway.readmodel.db import (
    create_schema,
    reader_engine,
    sqlite_url_for,
    writer_engine,
)
from services.gateway.readmodel.projector import Projector
from shared.contract.events import Event
from shared.settings import Settings
from tests.helpers import publish


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url)
    yield client
    await client.aclose()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "gateway.db"


@pytest.fixture
async def writer(db_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = writer_engine(sqlite_url_for(db_path))
    await create_schema(engine)
    yield engine
    await engine.dispose()


@pytest.fixture
async def reader(db_path: Path, writer: AsyncEngine) -> AsyncIterator[AsyncEngine]:
    engine = reader_engine(sqlite_url_for(db_path))
    yield engine
    await engine.dispose()


@contextlib.asynccontextmanager
async def projecting(projector: Projector) -> AsyncIterator[Projector]:
    """Runs the projector's loop in the background for the duration of the block."""
    task = asyncio.create_task(projector.run())
    try:
        yield projector
    finally:
        projector.stop()
        await asyncio.wait_for(task, timeout=10)


async def publish_log(redis: Redis, log: list[tuple[str, Event]]) -> None:
    for stream, event in log:
        await publish(redis, stream, event)


@pytest.fixture
async def served(settings: Settings) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """The gateway app with its real lifespan (Redis, SQLite, the projector) and a client."""
    app = create_app(settings, dashboard=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as http:
            yield app, http


@pytest.fixture
def client(served: tuple[FastAPI, httpx.AsyncClient]) -> httpx.AsyncClient:
    return served[1]
