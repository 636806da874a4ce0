"""The stream runtime every stage runs on: groups, batched reads, reclaim, leases, commits."""

from __future__ import annotations

import logging
import os
import secrets
import socket
from typing import Any

from faststream import AckPolicy, FastStream
from faststream.redis import RedisBroker, StreamSub
from faststream.redis.annotations import RedisBatchStreamMessage, RedisStreamMessage
from redis.asyncio import Redis
from redis.exceptions import ResponseError

from shared.ops.metrics import StageMetrics
from shared.runtime import lease
from shared.runtime.commit import Committer
from shared.runtime.commit_queue import CommitQueue
from shared.runtime.dispatch import Dispatcher, Entry
from shared.runtime.stage import StageSpec
from shared.secrets import of_settings
from shared.settings import Settings

log = logging.getLogger("datafactory.runtime")

# On SIGTERM a replica finishes its in-flight items for at most this long; deployments
# give a stage more than this before killing it (compose `stop_grace_period`).
GRACEFUL_TIMEOUT_S = 30.0


def consumer_name(stage: str) -> str:
    """Unique per replica, even for two apps in one process: host, pid and a random tag."""
    return f"{stage}-{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"


async def ensure_group(redis: Redis, stream: str, group: str) -> None:
    """Creates the group at id 0, so entries published before any consumer are still read."""
    try:
        await redis.xgroup_create(stream, group, id="0", mkstream=True)
    except ResponseError as exc:
        if "BUSYGROUP" not in str(exc):
            raise


def _entries(raw: Any) -> list[Entry]:
    """(entry id, fields) pairs of a FastStream stream message, batched or single."""
    ids = [i.decode() if isinstance(i, bytes) else str(i) for i in raw["message_ids"]]
    data = raw["data"] if isinstance(raw["data"], list) else [raw["data"]]
    return list(zip(ids, data, strict=True))


def build_app(
    spec: StageSpec, settings: Settings, redis: Redis, consumer: str | None = None
) -> FastStream:
    """A FastStream app running `spec` on its stream: new entries are read in batches of up
    to `max_records`; a second subscriber reclaims entries a dead replica left pending.
    `redis` is the stage's one client for its own I/O; the app closes it on shutdown."""
    broker = RedisBroker(
        settings.redis_dsn,
        logger=logging.getLogger(f"datafactory.{spec.name}"),
        # One line per message is noise at INFO and costs CPU on hot stages.
        log_level=logging.DEBUG,
        graceful_timeout=GRACEFUL_TIMEOUT_S,
        socket_timeout=settings.redis_timeout_s,  # above its blocking reads' polling interval
        socket_keepalive=True,
    )
    consumer = consumer or consumer_name(spec.name)
    released: set[str] = set()
    queue = CommitQueue(Committer(redis), spec.stream, spec.name, released)
    max_records = spec.max_records or settings.max_records
    metrics = StageMetrics(
        redis, spec.name, consumer, settings.metrics_flush_s, settings.heartbeat_dir
    )
    dispatcher = Dispatcher(
        spec,
        redis,
        queue,
        released,
        settings.max_deliveries,
        settings.handler_time_limit_s,
        max_records,
        of_settings(settings),
        metrics,
    )
    common: dict[str, Any] = {
        "group": spec.name,
        "consumer": consumer,
        "max_records": max_records,
        "polling_interval": settings.polling_interval_ms,
    }

    fresh = StreamSub(spec.stream, batch=True, **common)

    @broker.subscriber(stream=fresh, ack_policy=AckPolicy.MANUAL)
    async def on_new(msg: RedisBatchStreamMessage) -> None:
        await dispatcher.take(_entries(msg.raw_message), reclaimed=False)

    claim = StreamSub(spec.stream, min_idle_time=settings.claim_idle_ms, **common)

    @broker.subscriber(stream=claim, ack_policy=AckPolicy.MANUAL)
    async def on_reclaimed(msg: RedisStreamMessage) -> None:
        await dispatcher.take(_entries(msg.raw_message), reclaimed=True)

    app = FastStream(broker)
    leases = lease.Leases(redis, spec.stream, spec.name, consumer, settings.claim_idle_ms)

    @app.on_startup
    async def _start() -> None:
        await ensure_group(redis, spec.stream, spec.name)
        queue.start()
        if spec.start:
            await spec.start()

    @app.after_startup
    async def _leases() -> None:
        leases.start(released)
        metrics.start()

    @app.after_shutdown
    async def _close() -> None:
        # The broker has stopped reading: finish what was started, commit it, then let go.
        await dispatcher.drain(GRACEFUL_TIMEOUT_S)
        await queue.drain(GRACEFUL_TIMEOUT_S)
        await queue.stop()
        await leases.stop()
        await metrics.stop()
        await redis.aclose()
        if spec.close:
            await spec.close()

    return app
