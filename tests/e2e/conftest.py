"""End-to-end fixtures: the whole stack as real processes on a real redis-server."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from services.cli.stack import Stack
from shared.runtime.redis_server import free_port
from shared.settings import Settings


@dataclass
class Pipeline:
    stack: Stack
    client: httpx.Client

    def submit(self, urls: list[str], config: dict[str, Any] | None = None) -> str:
        project = self.client.post("/api/projects", json={"name": "e2e"}).json()
        body = {"urls": urls, "config": config or {}}
        response = self.client.post(f"/api/projects/{project['id']}/jobs", json=body)
        assert response.status_code in (200, 201, 202), response.text
        return str(response.json()["job_id"])

    def job(self, job_id: str) -> dict[str, Any]:
        return dict(self.client.get(f"/api/jobs/{job_id}").json())

    def wait_exported(self, job_id: str, timeout: float = 180) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            job = self.job(job_id)
            if job.get("exports"):
                return job
            assert time.monotonic() < deadline, f"job not exported in {timeout}s: {job}"
            time.sleep(0.2)

    def records(self, job: dict[str, Any]) -> list[dict[str, Any]]:
        """The newest export's records, downloaded through the gateway from blob storage."""
        download = self.client.get(f"/api/exports/{job['exports'][-1]['id']}/download")
        assert download.status_code == 200, download.text
        return [json.loads(line) for line in download.text.splitlines()]

    def db(self) -> sqlite3.Connection:
        return sqlite3.connect(self.stack.data_dir / "datafactory.db")

    def kill(self, pid: int) -> None:
        os.kill(pid, signal.SIGKILL)


@contextmanager
def pipeline(
    settings: Settings, replicas: dict[str, int], sim_args: tuple[str, ...] = ()
) -> Iterator[Pipeline]:
    settings = settings.model_copy(update={"gateway_port": free_port()})
    stack = Stack(settings, replicas, sim_args=sim_args).start()
    try:
        with httpx.Client(base_url=stack.gateway_url, timeout=30) as client:
            yield Pipeline(stack, client)
    finally:
        stack.stop()


@pytest.fixture
def corpus_urls(corpus_hosts: list[str], corpus_manifest: list[dict[str, Any]]) -> list[str]:
    """20 corpus pages, each on its own loopback host (each host has its own rate limit)."""
    return [
        f"{host}/{page['file']}"
        for host, page in zip(corpus_hosts, corpus_manifest[:20], strict=True)
    ]
