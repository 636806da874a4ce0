"""Consumes ExampleScored (in batches), JobCompleted and ExportJob from `df:shipper`: stages
examples on disk and, once the job is complete or an export is asked for, writes a versioned
export with its card and manifest (ExportWritten)."""

from __future__ import annotations

from faststream import FastStream

from services.shipper.handler import Shipper
from shared.contract.events import ExampleScored, ExportJob, JobCompleted
from shared.runtime import redis_client
from shared.runtime.runtime import build_app
from shared.runtime.stage import StageSpec
from shared.settings import Settings
from shared.storage.blobs import Storage


def create_app(settings: Settings | None = None) -> FastStream:
    settings = settings or Settings()
    redis = redis_client.connect(settings)
    storage = Storage.from_settings(settings)
    shipper = Shipper(settings.data_dir, storage, redis, settings.llm_price_per_1k_tokens)
    spec = StageSpec(
        "shipper",
        handlers={JobCompleted: shipper.ship, ExportJob: shipper.reexport},
        batch_handlers={ExampleScored: shipper.stage},
        max_records=200,
        linger_s=0.2,
    )
    return build_app(spec, settings, redis)
