"""Consumes ChunkMade from `df:factory`; emits ExampleGenerated, ChunkGenerated or ItemFailed."""

from __future__ import annotations

from faststream import FastStream

from services.factory import llm
from services.factory.generate import Generator
from services.factory.limits import LocalLimiter
from services.factory.logic import RetryPolicy
from shared.events import ChunkMade
from shared.runtime import StageSpec, build_app
from shared.settings import Settings


def create_app(settings: Settings | None = None, policy: RetryPolicy | None = None) -> FastStream:
    settings, policy = settings or Settings(), policy or RetryPolicy()
    llm.quiet()
    client = llm.LLMClient(settings, LocalLimiter(settings.stage_concurrency), policy)
    generator = Generator(client, settings.llm_model, policy.repairs)
    spec = StageSpec("factory", {ChunkMade: generator}, concurrency=settings.stage_concurrency)
    return build_app(spec, settings)
