"""The S3 side of bench/e2e.py: a real S3 API server (moto's) in its own process on
127.0.0.1, and the settings that put a stack's blobs in a bucket of it."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from shared.runtime.redis_server import free_port

BUCKET = "bench"


def _up(endpoint: str) -> bool:
    try:
        return httpx.get(endpoint, timeout=2).status_code < 500
    except httpx.HTTPError:
        return False


@contextmanager
def s3_server(timeout_s: float = 30.0) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """The endpoint and process of an S3 API server of its own (not a thread of the bench,
    whose web server and polling would share its interpreter)."""
    port = free_port()
    command = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout_s
        while not _up(endpoint):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the S3 server did not start on {endpoint}")
            time.sleep(0.1)
        yield endpoint, proc
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def on_s3(endpoint: str) -> dict[str, Any]:
    """Settings that store blobs in a new bucket at `endpoint` (moto takes any key)."""
    httpx.put(f"{endpoint}/{BUCKET}").raise_for_status()
    return {
        "storage": f"s3://{BUCKET}/data",
        "s3_endpoint_url": endpoint,
        "s3_region": "us-east-1",
        "s3_access_key_id": "bench",
        "s3_secret_access_key": "bench-secret",
    }
