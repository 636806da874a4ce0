"""Builds the gateway app: engines, Redis, the projector task, routes and the dashboard."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.exceptions import HTTPException
from starlette.middleware.body_limit import RequestBodyLimitMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware

from services.gateway.api import access, estimate, gate, jobs, metrics, projects, stats
from services.gateway.api.examples import router as examples_router
from services.gateway.api.exports import router as exports_router
from services.gateway.api.invalid import invalid_request
from services.gateway.api.login import router as login_router
from services.gateway.api.methods import DeclaredMethods
from services.gateway.api.plain_errors import PlainErrors
from services.gateway.api.problems import documented, http_error, problem, problems
from services.gateway.api.sessions import Sessions
from services.gateway.api.templates import router as templates_router
from services.gateway.container import Gateway
from services.gateway.limits import MAX_BODY_BYTES, UploadLimit
from services.gateway.queries import estimate as generation
from services.gateway.readmodel.archive import Archiver
from services.gateway.readmodel.db import (
    create_schema,
    database_path,
    outdated,
    reader_engine,
    writer_engine,
)
from services.gateway.readmodel.projector import Projector
from services.gateway.readmodel.rebuild import replay
from shared.runtime import redis_client
from shared.settings import Settings

log = logging.getLogger("datafactory.gateway")

STOP_TIMEOUT_S = 5.0


async def _stop(projector: Projector, task: asyncio.Task[None]) -> None:
    projector.stop()
    try:
        await asyncio.wait_for(asyncio.shield(task), STOP_TIMEOUT_S)
    except TimeoutError:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def _writer(settings: Settings) -> AsyncEngine:
    """The read models' writer, on a database of this code's schema: one projected under
    another is replayed from the log first (the log is the truth; rows are its function)."""
    writer = writer_engine(settings.sqlite_url)
    path = database_path(settings.sqlite_url)
    if path is not None and await outdated(writer):
        await writer.dispose()
        log.warning("read models in %s have an older schema: replaying the log", path)
        await replay(settings.redis_dsn, path, data_dir=settings.data_dir)
        writer = writer_engine(settings.sqlite_url)
    await create_schema(writer)
    return writer


def _lifespan(settings: Settings) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        writer = await _writer(settings)
        reader = reader_engine(settings.sqlite_url)
        redis = redis_client.connect(settings)
        # The projector blocks on XREAD: its own client keeps request traffic off that socket.
        projector_redis = redis_client.connect(settings)
        projector = Projector(projector_redis, writer)
        app.state.gateway = Gateway(settings, redis, reader, projector)
        task = asyncio.create_task(projector.run(), name="projector")
        archiving = _archiving(settings, redis, projector)
        warm = asyncio.create_task(generation.warm_up(settings.llm_model), name="warm-up")
        log.info("gateway projecting the log into %s", settings.sqlite_url)
        try:
            yield
        finally:
            if archiving is not None:
                archiving.cancel()
                await asyncio.gather(archiving, return_exceptions=True)
            await _stop(projector, task)
            await asyncio.gather(warm, return_exceptions=True)
            await projector_redis.aclose()
            await redis.aclose()
            await reader.dispose()
            await writer.dispose()

    return lifespan


def _archiving(settings: Settings, redis: Redis, projector: Projector) -> asyncio.Task[None] | None:
    if settings.log_keep_s is None:
        return None
    archiver = Archiver(redis, settings.data_dir, lambda: projector.positions, settings.log_keep_s)
    return asyncio.create_task(archiver.run(settings.log_archive_every_s), name="archive")


async def _redis_unavailable(_request: Request, exc: Exception) -> Response:
    """Redis down (or reloading its log after a restart) is a temporary state, not a bug:
    503 with the reason, so clients retry instead of reporting a server error."""
    detail = f"Redis is unavailable ({type(exc).__name__}); retry shortly"
    return problem(503, detail, {"Retry-After": "2"})


def _guard(app: FastAPI, settings: Settings) -> None:
    """Unknown Host headers get 400 (DNS rebinding); with a token, requests without it 401
    (or a login session for pages)."""
    token = access.token_of(settings)
    app.state.api_token = token
    app.state.sessions = Sessions(token) if token is not None else None
    app.include_router(login_router)
    if token is not None or settings.metrics_token is not None:
        app.add_middleware(gate.TokenGate, token=token, metrics_token=settings.metrics_token)
    # Added last, so it runs first: a foreign Host is refused before anything else.
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=access.allowed_hosts(settings))
    # Outside every other: their own plain-text refusals become problem details.
    app.add_middleware(PlainErrors)


def create_app(settings: Settings, *, dashboard: bool = True) -> FastAPI:
    """A fresh app; `dashboard=False` leaves out the NiceGUI pages, whose state is global.
    Raises access.TokenRequired for a gateway bound beyond loopback without a token."""
    app = FastAPI(
        title="AI Data Factory",
        summary="Turns web pages into curated LLM training datasets.",
        lifespan=_lifespan(settings),
        # Any route: an unknown Host header or an unreadable body; no token; Redis down.
        responses=problems(400, 401, 503),
    )
    app.openapi = lambda: documented(app)  # type: ignore[method-assign]
    app.add_middleware(UploadLimit)
    # Here rather than FastAPI's max_body_size, whose 413 no middleware of ours can reach.
    app.add_middleware(RequestBodyLimitMiddleware, max_body_size=MAX_BODY_BYTES)
    app.add_middleware(DeclaredMethods)
    app.add_exception_handler(RedisConnectionError, _redis_unavailable)
    app.add_exception_handler(RedisTimeoutError, _redis_unavailable)
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(HTTPException, http_error)
    for routes in (stats, projects, jobs, estimate, metrics):
        app.include_router(routes.router)
    app.include_router(exports_router)
    app.include_router(templates_router)
    app.include_router(examples_router)
    _guard(app, settings)
    if dashboard:
        from services.gateway.dashboard.site import mount_dashboard

        mount_dashboard(app)
    return app
