"""Consumes ChunkMade from `df:factory`; emits ExampleGenerated, ChunkGenerated or ItemFailed."""

from __future__ import annotations

from faststream import FastStream
from redis.asyncio import Redis

from services.factory import llm
from services.factory.budget import Budget
from services.factory.calls import Caller
from services.factory.generate import Generator
from services.factory.ledger import Ledger
from services.factory.limits import ProviderLimits, SharedLimiter
from services.factory.logic import RetryPolicy
from shared.events import ChunkMade
from shared.runtime import build_app
from shared.settings import Settings
from shared.stage import StageSpec

# A crashed replica's slots and budget reservations lapse this long after its call's timeout.
_HOLD_MARGIN_S = 30.0


def create_app(
    settings: Settings | None = None,
    policy: RetryPolicy | None = None,
    consumer: str | None = None,
) -> FastStream:
    settings, policy = settings or Settings(), policy or RetryPolicy()
    llm.quiet()
    redis = Redis.from_url(settings.redis_dsn)
    hold_s = settings.llm_timeout_s + _HOLD_MARGIN_S
    slots = SharedLimiter(redis, settings.llm_concurrency, hold_s)
    ledger = Ledger(redis, slots, Budget(redis, hold_s, settings.default_max_cost_usd))
    client = llm.LiteLLM(settings)
    caller = Caller(client, redis, slots.local, ledger, ProviderLimits(settings.redis_dsn), policy)
    generator = Generator(caller, settings, policy.repairs)
    spec = StageSpec("factory", {ChunkMade: generator}, concurrency=settings.llm_concurrency)
    app = build_app(spec, settings, redis, consumer)
    app.after_shutdown(client.aclose)
    return app
