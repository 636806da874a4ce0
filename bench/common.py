"""Benchmark plumbing: a local multi-host web of the corpus, Redis, stage processes, RSS."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from socketserver import BaseRequestHandler
from typing import Any

import psutil
from redis.asyncio import Redis

from services.spider.decode import to_text
from shared.contract import jobconfig
from shared.contract.config import JobConfig
from shared.contract.events import ChunkMade, parse_event
from shared.contract.wire import decode_fields
from shared.runtime.redis_server import RedisProcess
from tests.helpers import read_raw
from tests.web import Loopback, QuietFiles

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "web"


def serve_hosts(n_hosts: int, handler: Callable[..., BaseRequestHandler]) -> Loopback:
    """`handler` on `n_hosts` loopback addresses (127.0.1.x), one port, each address its own
    host to the spider."""
    return Loopback(handler, [f"127.0.1.{i}" for i in range(1, n_hosts + 1)])


def serve_corpus(n_hosts: int) -> Loopback:
    """The corpus on `n_hosts` loopback addresses (127.0.1.x), one port."""
    return serve_hosts(n_hosts, partial(QuietFiles, directory=str(CORPUS)))


def corpus_files() -> list[str]:
    return sorted(p.name for p in CORPUS.glob("*.html"))


def start_redis() -> RedisProcess:
    return RedisProcess(Path(tempfile.mkdtemp(prefix="bench-redis-")), appendonly=False).start()


def stage_process(stage: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", f"services.{stage}"],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
    )


def rss_mb(proc: subprocess.Popen[bytes]) -> float:
    return float(psutil.Process(proc.pid).memory_info().rss) / 2**20


def cpu_s(proc: subprocess.Popen[bytes]) -> float:
    times = psutil.Process(proc.pid).cpu_times()
    return float(times.user + times.system)


def tree_rss_mb(proc: subprocess.Popen[bytes]) -> tuple[float, float]:
    """RSS of the process itself and of its largest child (a worker pool's process)."""
    root = psutil.Process(proc.pid)
    largest = 0.0
    for child in root.children(recursive=True):
        with contextlib.suppress(psutil.NoSuchProcess):  # a recycled worker may be gone
            largest = max(largest, float(child.memory_info().rss) / 2**20)
    return float(root.memory_info().rss) / 2**20, largest


async def settled(redis: Redis, stream: str, group: str) -> int:
    """Entries with an outcome when entry ids were given as 1-1, 1-2, ...: delivered minus
    still pending (Redis 6.2 has no per-group read counter)."""
    found = [g for g in await redis.xinfo_groups(stream) if g["name"] == group.encode()]
    if not found:
        return 0
    delivered = int(found[0]["last-delivered-id"].split(b"-")[1])
    return delivered - int(found[0]["pending"])


async def wait_settled(
    redis: Redis, stream: str, group: str, n: int, procs: list[subprocess.Popen[bytes]]
) -> float:
    """The time at which `n` entries are settled; fails if a stage process exits first."""
    while await settled(redis, stream, group) < n:
        if any(proc.poll() is not None for proc in procs):
            raise RuntimeError(f"a {group} process exited before {n} entries were settled")
        await asyncio.sleep(0.02)
    return time.perf_counter()


async def configure(redis: Redis, job_id: str, config: JobConfig) -> None:
    """Writes a job's config as the gateway does at submission; work items refer to it."""
    async with redis.pipeline(transaction=True) as pipe:
        jobconfig.store(pipe, job_id, config)
        await pipe.execute()


def manifest() -> list[dict[str, Any]]:
    lines = (CORPUS / "manifest.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def snippet_rates(texts: dict[str, str], pages: list[dict[str, Any]]) -> tuple[float, float]:
    """Recall of `with` snippets and rate of `without` snippets found in each file's text."""

    def found(snippet: str, file: str) -> bool:
        return " ".join(snippet.split()) in " ".join(texts.get(file, "").split())

    hits = [found(s, p["file"]) for p in pages for s in p["with"]]
    false = [found(s, p["file"]) for p in pages for s in p["without"]]
    return sum(hits) / len(hits), sum(false) / len(false)


def tree_cpu_s(proc: subprocess.Popen[bytes]) -> tuple[float, float]:
    """CPU seconds of the process itself and of its descendants, reaped ones included."""

    def used(p: psutil.Process) -> float:
        t = p.cpu_times()
        return float(t.user + t.system + t.children_user + t.children_system)

    root = psutil.Process(proc.pid)
    times = root.cpu_times()
    descendants = 0.0
    for child in root.children(recursive=True):
        with contextlib.suppress(psutil.NoSuchProcess):
            descendants += used(child)
    reaped = float(times.children_user + times.children_system)
    return float(times.user + times.system), descendants + reaped


def stored_corpus(n: int) -> list[Path]:
    """The corpus as the spider stores it (decoded, UTF-8, under a data directory's `raw/`),
    cycled to `n` pages; the data directory is the parent of the returned files' `raw/`."""
    folder = Path(tempfile.mkdtemp(prefix="bench-data-")) / "raw" / "bench"
    folder.mkdir(parents=True)
    stored = []
    for page in sorted(CORPUS.glob("*.html")):
        target = folder / page.name
        target.write_text(to_text(page.read_bytes(), "text/html")[0], "utf-8")
        stored.append(target)
    return [stored[i % len(stored)] for i in range(n)]


async def chunk_texts(redis: Redis, job_id: str) -> dict[str, str]:
    """Texts of the chunks a job sent to the factory, joined per page file (the URL's last part)."""
    texts: dict[str, list[str]] = {}
    for _, fields in await read_raw(redis, "df:factory"):
        chunk = parse_event(decode_fields(fields))
        if isinstance(chunk, ChunkMade) and chunk.job_id == job_id:
            texts.setdefault(chunk.url.rsplit("/", 1)[1], []).append(chunk.text)
    return {file: "\n".join(parts) for file, parts in texts.items()}
