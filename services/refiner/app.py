"""Consumes PageFetched from `df:refiner`; emits ChunkMade to `df:factory`, ChunkDropped and
DocumentRefined to `df:events`, or the page's failure or skip with its reason."""

from __future__ import annotations

from faststream import FastStream

from services.refiner.dedup import DedupIndex
from services.refiner.handler import Refiner
from services.refiner.pool import WorkerPool
from shared.contract.events import PageFetched
from shared.runtime import redis_client
from shared.runtime.runtime import build_app
from shared.runtime.stage import StageSpec
from shared.settings import Settings
from shared.storage.blobs import Storage


def create_app(settings: Settings | None = None) -> FastStream:
    settings = settings or Settings()
    redis = redis_client.connect(settings)
    refiner = Refiner(Storage.from_settings(settings), WorkerPool(), DedupIndex(redis))
    # Pages in flight: one is parsed in the worker while the others are read from storage,
    # written back or settled. Over a remote store (S3) that I/O takes about as long as a
    # parse, so two would leave the worker waiting; the worker's time limit starts when it
    # takes the page, not while the page queues for it.
    spec = StageSpec(
        "refiner",
        {PageFetched: refiner},
        concurrency=4,
        start=refiner.start,
        close=refiner.close,
    )
    return build_app(spec, settings, redis)
