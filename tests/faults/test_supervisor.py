"""`datafactory up` as a user runs it: Redis killed mid-job comes back and the job completes;
SIGTERM leaves no process behind."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest

from shared.runtime.redis_server import free_port

# Whole processes on CI's two busy cores: minutes, not the one-minute default.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def launcher(tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    env = {
        **os.environ,
        "DATAFACTORY_DATA_DIR": str(tmp_path / "data"),
        "DATAFACTORY_GATEWAY_PORT": str(free_port()),
        "DATAFACTORY_ALLOWED_NETWORKS": "127.0.0.0/8",
        "DATAFACTORY_CLAIM_IDLE_MS": "5000",
    }
    for name in ("DATAFACTORY_REDIS_URL", "DATAFACTORY_LLM_API_BASE", "OPENAI_API_KEY"):
        env.pop(name, None)
    command = [sys.executable, "-m", "services.cli", "up"]
    proc = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
    yield proc
    if proc.poll() is None:
        proc.kill()
    for child in _descendants(proc.pid):
        child.kill()


def _descendants(pid: int) -> list[psutil.Process]:
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def _gateway(data_dir: Path, timeout: float = 90) -> httpx.Client:
    deadline = time.monotonic() + timeout
    state = data_dir / "stack.json"
    while not state.exists():
        assert time.monotonic() < deadline, "the stack did not start"
        time.sleep(0.2)
    return httpx.Client(base_url=json.loads(state.read_text())["gateway_url"], timeout=30)


def _submit(client: httpx.Client, urls: list[str]) -> str:
    project = client.post("/api/projects", json={"name": "faults"}).json()
    reply = client.post(f"/api/projects/{project['id']}/jobs", json={"urls": urls})
    assert reply.status_code == 202, reply.text
    return str(reply.json()["job_id"])


def _follow(client: httpx.Client, job_id: str, until: Any, timeout: float) -> set[int]:
    """Polls the job until `until(job)`; returns every status code the gateway answered."""
    codes, deadline = set(), time.monotonic() + timeout
    while True:
        try:
            reply = client.get(f"/api/jobs/{job_id}")
            codes.add(reply.status_code)
            if reply.status_code == 200 and until(reply.json()):
                return codes
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, f"job {job_id} stuck; answers so far {codes}"
        time.sleep(0.2)


def test_a_killed_redis_comes_back_and_the_job_completes_then_sigterm_stops_everything(
    launcher: subprocess.Popen[bytes],
    tmp_path: Path,
    corpus_hosts: list[str],
    corpus_manifest: list[dict[str, Any]],
) -> None:
    client = _gateway(tmp_path / "data")
    urls = [f"{h}/{p['file']}" for h, p in zip(corpus_hosts, corpus_manifest, strict=False)]
    job_id = _submit(client, urls)
    _follow(client, job_id, lambda j: j["stages"]["spider"]["settled"] >= 3, 90)
    [redis] = [p for p in _descendants(launcher.pid) if p.name() == "redis-server"]
    redis.kill()
    codes = _follow(client, job_id, lambda j: bool(j["exports"]), 240)
    assert codes <= {200, 503}, f"while Redis was down the gateway answered {codes}"
    job = client.get(f"/api/jobs/{job_id}").json()
    assert job["status"] == "completed"
    assert sum(job["stages"]["spider"][k] for k in ("fetched", "failed", "skipped")) == len(urls)
    children = _descendants(launcher.pid)
    assert any(p.name() == "redis-server" for p in children), "Redis was restarted"
    launcher.send_signal(signal.SIGTERM)
    assert launcher.wait(60) == 0
    _, alive = psutil.wait_procs(children, timeout=30)
    assert not alive, f"left behind: {[p.cmdline() for p in alive]}"
