"""Consumes ExampleGenerated from `df:inspector` in batches; emits ExampleScored to `df:shipper`."""

from __future__ import annotations

from faststream import FastStream
from redis.asyncio import Redis

from services.inspector import models
from services.inspector.cmudict_offline import ensure_cmudict
from services.inspector.embeddings import Embedders
from services.inspector.handler import Inspector
from services.inspector.judge import Judge
from shared.contract.events import ExampleGenerated
from shared.runtime import redis_client
from shared.runtime.runtime import build_app
from shared.runtime.stage import StageSpec
from shared.settings import Settings


def build_inspector(settings: Settings, redis: Redis) -> Inspector:
    """The handler with its models loaded; the judge spends through `redis`."""
    ensure_cmudict(settings.data_dir / "cache")  # textstat's dictionary, offline
    loaded = models.build(settings.detoxify_checkpoint, settings.detoxify_config_dir)
    embedders = Embedders(settings.embedding_model)
    return Inspector(loaded, embedders, Judge(settings, redis))


def create_app(settings: Settings | None = None) -> FastStream:
    settings = settings or Settings()
    redis = redis_client.connect(settings)
    inspector = build_inspector(settings, redis)
    spec = StageSpec(
        "inspector",
        batch_handlers={ExampleGenerated: inspector.score},
        max_records=100,
        linger_s=0.1,
    )
    return build_app(spec, settings, redis)
