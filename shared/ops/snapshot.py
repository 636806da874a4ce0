"""What an operator watches, read from Redis in one go: queues (shared.ops.stream_figures), the
stages' pushed counters (shared.ops.metrics), LLM totals per model (shared.ops.totals) and,
given the projector's positions, its lag. `/metrics` and `datafactory status` both render
this."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from redis.asyncio import Redis

from shared.contract import streams
from shared.ops import metrics, totals
from shared.ops.stream_figures import (
    Behind,
    GroupFigures,
    StreamFigures,
    behind,
    groups,
    stream_sizes,
)
from shared.ops.totals import FactoryTotals


@dataclass(frozen=True)
class StageFigures:
    stage: str
    replicas: int  # replicas that reported within metrics.STALE_S
    items: int
    errors: int  # items whose handler raised (retried, then dead-lettered)
    calls: int  # handler calls: one per item, or one per batch
    seconds: float  # handler time over all calls
    buckets: tuple[tuple[float, int], ...]  # cumulative counts up to each bound, +Inf last

    def quantile(self, q: float) -> float | None:
        """The bound of the bucket holding the q-quantile call (as Prometheus estimates it,
        without interpolation); None before any call."""
        if not self.calls:
            return None
        return next(bound for bound, count in self.buckets if count >= q * self.calls)


@dataclass(frozen=True)
class Snapshot:
    taken_at: float
    streams: list[StreamFigures]
    groups: list[GroupFigures]
    stages: list[StageFigures]
    llm: dict[str, FactoryTotals]
    projector: list[Behind] = field(default_factory=list)


def _number(raw: Mapping[Any, Any], name: str) -> float:
    value = raw.get(name.encode(), raw.get(name, 0))
    return float(value.decode() if isinstance(value, bytes) else value)


def _stage(stage: str, raw: Mapping[Any, Any], replicas: int) -> StageFigures:
    bounds = (*metrics.BUCKETS_S, float("inf"))
    running, buckets = 0, []
    for index, bound in enumerate(bounds):
        running += int(_number(raw, metrics.bucket_field(index)))
        buckets.append((bound, running))
    count = {name: int(_number(raw, name)) for name in ("items", "errors", "calls")}
    return StageFigures(
        stage, replicas, **count, seconds=_number(raw, "seconds"), buckets=tuple(buckets)
    )


async def stages(redis: Redis) -> list[StageFigures]:
    since = time.time() - metrics.STALE_S
    async with redis.pipeline(transaction=False) as pipe:
        for stage in streams.STAGES:
            pipe.hgetall(metrics.stage_key(stage))
            pipe.zcount(metrics.replicas_key(stage), since, "+inf")
        replies = await pipe.execute()
    return [
        _stage(stage, replies[2 * i], int(replies[2 * i + 1]))
        for i, stage in enumerate(streams.STAGES)
    ]


async def llm(redis: Redis) -> dict[str, FactoryTotals]:
    """Totals per model, keyed by model name."""
    keys = sorted(
        k.decode() if isinstance(k, bytes) else k for k in await redis.smembers(totals.MODEL_KEYS)
    )
    read = await asyncio.gather(*(totals.read_key(redis, key) for key in keys))
    prefix = len(totals.model_key(""))
    return {key[prefix:]: figures for key, figures in zip(keys, read, strict=True)}


async def take(redis: Redis, positions: Mapping[str, str] | None = None) -> Snapshot:
    """Every figure; the projector's lag only when its `positions` (stream: last id) are given."""
    sizes, by_stream, stage_figures, models = await asyncio.gather(
        stream_sizes(redis),
        asyncio.gather(*(groups(redis, stream) for stream in streams.ALL_STREAMS)),
        stages(redis),
        llm(redis),
    )
    lag = await asyncio.gather(*(behind(redis, s, p) for s, p in (positions or {}).items()))
    flat = [group for found in by_stream for group in found]
    return Snapshot(time.time(), sizes, flat, stage_figures, models, list(lag))
