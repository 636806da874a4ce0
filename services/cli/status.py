"""`datafactory status`: the figures of `/metrics` (shared.ops.snapshot) as tables, read straight
from the stack's Redis and the read model's checkpoints, so it works while the gateway is down.
Items/s are the counters' growth over a short sampling interval."""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
from dataclasses import asdict
from pathlib import Path
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError
from rich.table import Table

from services.cli.output import CommandFailed, Exit, Output
from shared.ops import snapshot
from shared.ops.snapshot import Snapshot
from shared.settings import Settings


def stack_redis_url(settings: Settings) -> str | None:
    """The configured Redis, else that of the embedded stack serving the data directory."""
    state = settings.data_dir.resolve() / "stack.json"
    if settings.redis_url is None and state.exists():
        return str(json.loads(state.read_text())["redis_url"])
    return settings.redis_url


def projector_positions(database: Path) -> dict[str, str]:
    """Where the projector stands on each stream (its checkpoints), read-only."""
    if not database.exists():
        return {}
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as conn:
        return dict(conn.execute("SELECT stream, last_id FROM checkpoints").fetchall())


async def sample(url: str, database: Path, interval_s: float) -> tuple[Snapshot, Snapshot]:
    """Two snapshots `interval_s` apart."""
    redis = Redis.from_url(url)
    try:
        first = await snapshot.take(redis)
        await asyncio.sleep(interval_s)
        return first, await snapshot.take(redis, projector_positions(database))
    finally:
        await redis.aclose()


def _seconds(value: float | None) -> str:
    if value is None:
        return "-"
    return "> 900s" if value == float("inf") else f"≤ {value:g}s"


def queue_table(snap: Snapshot) -> Table:
    table = Table("stream", "group", "length", "lag", "pending", "consumers", "dead letters")
    table.title = "Queues"
    groups = {group.stream: group for group in snap.groups}
    for stream in snap.streams:
        group = groups.get(stream.stream)
        counts = (group.group, group.lag, group.pending, group.consumers) if group else "----"
        sizes = (stream.length, stream.dead_letters)
        table.add_row(
            stream.stream, str(counts[0]), str(sizes[0]), *map(str, counts[1:]), str(sizes[1])
        )
    return table


def stage_table(before: Snapshot, after: Snapshot) -> Table:
    table = Table("stage", "replicas", "items", "items/s", "errors", "mean", "p50", "p95")
    table.title = "Stages (handler time per call)"
    elapsed = max(after.taken_at - before.taken_at, 1e-9)
    for old, new in zip(before.stages, after.stages, strict=True):
        rate = (new.items - old.items) / elapsed
        mean = f"{new.seconds / new.calls:.3f}s" if new.calls else "-"
        quantiles = (_seconds(new.quantile(0.5)), _seconds(new.quantile(0.95)))
        row = (str(new.replicas), str(new.items), f"{rate:.1f}", str(new.errors), mean)
        table.add_row(new.stage, *row, *quantiles)
    return table


def llm_table(snap: Snapshot) -> Table:
    table = Table("model", "calls", "retries", "prompt tokens", "completion tokens", "cost")
    table.title = "LLM"
    for model, figures in snap.llm.items():
        tokens = (f"{figures.prompt_tokens:,}", f"{figures.completion_tokens:,}")
        calls = (str(figures.calls), str(figures.retries))
        table.add_row(model, *calls, *tokens, f"${figures.spent_usd:.4f}")
    return table


def projector_table(snap: Snapshot) -> Table:
    table = Table("stream", "entries behind", "oldest unprojected")
    table.title = "Projector"
    for lagging in snap.projector:
        table.add_row(lagging.stream, str(lagging.entries), f"{lagging.seconds:.1f}s")
    return table


def figures(before: Snapshot, after: Snapshot) -> dict[str, Any]:
    """The tables' figures as one JSON-ready document, items/s included."""
    document = asdict(after)
    elapsed = max(after.taken_at - before.taken_at, 1e-9)
    for old, new in zip(before.stages, document["stages"], strict=True):
        new["items_per_s"] = round((new["items"] - old.items) / elapsed, 3)
        del new["buckets"]
    document["llm"] = {model: totals.model_dump() for model, totals in after.llm.items()}
    return document


def show(settings: Settings, out: Output, interval_s: float) -> int:
    url = stack_redis_url(settings)
    if url is None:
        message = "[red]no stack[/]: start one with `datafactory up`, or set a Redis URL"
        raise CommandFailed(Exit.UNAVAILABLE, message)
    try:
        database = Path(settings.sqlite_url.split("///", 1)[1])
        before, after = asyncio.run(sample(url, database, interval_s))
    except RedisError as exc:
        message = f"[red]Redis unreachable[/] ({type(exc).__name__}): is the stack up?"
        raise CommandFailed(Exit.UNAVAILABLE, message) from None
    if out.json:
        out.document(figures(before, after))
        return Exit.OK
    for table in (queue_table(after), stage_table(before, after), llm_table(after)):
        out.table(table)
    out.table(projector_table(after))
    return Exit.OK


def command(args: argparse.Namespace, out: Output) -> int:
    return show(Settings(), out, args.interval)
