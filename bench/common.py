"""Benchmark plumbing: a local multi-host web of the corpus, Redis, stage processes, RSS."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import psutil

from shared.redis_server import RedisProcess

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "web"


class _Quiet(SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass


def serve_corpus(n_hosts: int) -> tuple[list[str], list[ThreadingHTTPServer]]:
    """The corpus on `n_hosts` loopback addresses (127.0.1.x), one port; returns base URLs."""
    handler = partial(_Quiet, directory=str(CORPUS))
    hosts = [f"127.0.1.{i}" for i in range(1, n_hosts + 1)]
    first = ThreadingHTTPServer((hosts[0], 0), handler)
    port = first.server_address[1]
    servers = [first] + [ThreadingHTTPServer((h, port), handler) for h in hosts[1:]]
    for server in servers:
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
    return [f"http://{h}:{port}" for h in hosts], servers


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
