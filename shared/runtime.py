"""The stream runtime every stage runs on: groups, reclaim, dead letters, atomic commits."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import secrets
import socket
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from faststream import AckPolicy, FastStream
from faststream.redis import RedisBroker, StreamSub
from faststream.redis.annotations import RedisStreamMessage as StreamMessage
from faststream.redis.message import RedisStreamMessage
from pydantic import ValidationError
from redis.asyncio import Redis
from redis.exceptions import ResponseError

from shared import lease, streams
from shared.commit import Committer, Emit
from shared.events import Event, ItemFailed, parse_event
from shared.ids import derive
from shared.settings import Settings

log = logging.getLogger("datafactory.runtime")

# On SIGTERM a replica finishes its in-flight messages for at most this long; deployments
# give a stage more than this before killing it (compose `stop_grace_period`).
GRACEFUL_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class StageContext:
    """What a handler may use for I/O; built once per process."""

    stage: str
    settings: Settings
    redis: Redis
    consumer: str


Handler = Callable[[Any, StageContext], Awaitable[list[Emit]]]


@dataclass(frozen=True)
class StageSpec:
    name: str
    handlers: Mapping[type[Event], Handler]
    concurrency: int = 1
    input_stream: str | None = None  # defaults to the stage's own stream

    @property
    def stream(self) -> str:
        return self.input_stream or streams.STAGE_STREAM[self.name]


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


def failure(stage: str, event: Event, reason: str, detail: str = "", **extra: Any) -> Emit:
    """The failure outcome of a work item, with an id derived from the item's id."""
    return Emit(
        streams.EVENTS,
        ItemFailed(
            event_id=derive(event.event_id, f"{stage}-failed"),
            job_id=event.job_id,
            caused_by=event.event_id,
            stage=stage,
            item_id=event.event_id,
            reason=reason,
            detail=detail[:2000],
            url=getattr(event, "url", None),
            **extra,
        ),
    )


class StageRunner:
    """Runs one message through a stage: validate, skip cancelled, handle, settle."""

    def __init__(self, spec: StageSpec, ctx: StageContext, committer: Committer) -> None:
        self.spec, self.ctx, self.committer = spec, ctx, committer
        # Entries whose handler raised: their lease is not renewed, so they are redelivered.
        self.released: set[str] = set()

    async def __call__(self, msg: RedisStreamMessage, reclaimed: bool) -> None:
        entry_id = msg.raw_message["message_ids"][0].decode()
        self.released.discard(entry_id)
        raw: bytes = msg.body
        try:
            event = parse_event(raw)
            handler = self.spec.handlers[type(event)]
        except (ValidationError, KeyError, ValueError) as exc:
            await self._dead_letter(entry_id, raw, None, f"invalid_payload: {exc}"[:500])
            return
        if reclaimed:
            deliveries = await msg.get_delivery_count()
            if deliveries > self.ctx.settings.max_deliveries:
                await self._dead_letter(entry_id, raw, event, f"crashed {deliveries - 1} times")
                return
        if event.tallied and await self.ctx.redis.sismember(streams.CANCELLED_JOBS, event.job_id):
            skip = failure(self.spec.name, event, "cancelled", outcome="skipped")
            await self._settle(entry_id, event, [skip])
            return
        try:
            emits = await handler(event, self.ctx)
        except Exception as exc:
            deliveries = await msg.get_delivery_count()
            if deliveries < self.ctx.settings.max_deliveries:
                self.released.add(entry_id)
                log.warning(
                    "%s: %s failed (delivery %d): %r", self.spec.name, entry_id, deliveries, exc
                )
                raise
            log.exception(
                "%s: %s dead-lettered after %d deliveries", self.spec.name, entry_id, deliveries
            )
            await self._dead_letter(entry_id, raw, event, f"handler_error: {exc!r}"[:500])
            return
        await self._settle(entry_id, event, emits)

    async def _settle(self, entry_id: str, event: Event, emits: list[Emit]) -> None:
        await self.committer.commit(
            stream=self.spec.stream,
            group=self.spec.name,
            entry_id=entry_id,
            job_id=event.job_id,
            tallied=event.tallied,
            emits=emits,
        )

    async def _dead_letter(
        self, entry_id: str, raw: bytes, event: Event | None, reason: str
    ) -> None:
        log.error("%s: dead-lettering %s: %s", self.spec.name, entry_id, reason)
        emits = [failure(self.spec.name, event, "dead_letter", reason)] if event else []
        await self.committer.commit(
            stream=self.spec.stream,
            group=self.spec.name,
            entry_id=entry_id,
            job_id=event.job_id if event else None,
            tallied=bool(event and event.tallied),
            emits=emits,
            raw_outputs=[(streams.dead_letter(self.spec.stream), _dead_payload(raw, reason))],
        )


def _dead_payload(raw: bytes, reason: str) -> str:
    return json.dumps({"data": raw.decode(errors="replace"), "headers": {"reason": reason}})


def build_app(spec: StageSpec, settings: Settings, consumer: str | None = None) -> FastStream:
    """A FastStream app running `spec` on its stream, with a reclaimer for stalled entries."""
    broker = RedisBroker(
        settings.redis_dsn,
        logger=logging.getLogger(f"datafactory.{spec.name}"),
        # One line per message is noise at INFO and costs CPU on hot stages.
        log_level=logging.DEBUG,
        graceful_timeout=GRACEFUL_TIMEOUT_S,
    )
    redis: Redis = Redis.from_url(settings.redis_dsn)
    consumer = consumer or consumer_name(spec.name)
    runner = StageRunner(spec, StageContext(spec.name, settings, redis, consumer), Committer(redis))
    common: dict[str, Any] = {
        "group": spec.name,
        "consumer": consumer,
        "max_records": settings.max_records,
        "polling_interval": settings.polling_interval_ms,
    }

    fresh = StreamSub(spec.stream, **common)

    @broker.subscriber(stream=fresh, ack_policy=AckPolicy.MANUAL, max_workers=spec.concurrency)
    async def on_new(msg: StreamMessage) -> None:
        await runner(msg, reclaimed=False)

    claim = StreamSub(spec.stream, min_idle_time=settings.claim_idle_ms, **common)

    @broker.subscriber(stream=claim, ack_policy=AckPolicy.MANUAL)
    async def on_reclaimed(msg: StreamMessage) -> None:
        await runner(msg, reclaimed=True)

    app = FastStream(broker)
    renewal: list[asyncio.Task[None]] = []

    @app.on_startup
    async def _groups() -> None:
        await ensure_group(redis, spec.stream, spec.name)

    @app.after_startup
    async def _leases() -> None:
        renewal.append(
            lease.start(
                redis, spec.stream, spec.name, consumer, settings.claim_idle_ms, runner.released
            )
        )

    @app.after_shutdown
    async def _close() -> None:
        await lease.stop(renewal[0] if renewal else None)
        await redis.aclose()

    return app
