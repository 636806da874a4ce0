"""`python -m services.gateway` as a real process on a free loopback port, for HTTP tests."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from shared.runtime.redis_server import free_port
from shared.settings import Settings

ROOT = Path(__file__).parents[2]


def _healthy(url: str, proc: subprocess.Popen[bytes], timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"gateway not healthy at {url} (exit code {proc.poll()})")


@contextlib.contextmanager
def gateway_process(settings: Settings, folder: Path, **env: str) -> Iterator[tuple[str, Path]]:
    """Yields the gateway's URL and its log file; `env` adds DATAFACTORY_* variables."""
    port, log = free_port(), folder / "gateway.log"
    variables = (
        os.environ
        | env
        | {
            "DATAFACTORY_REDIS_URL": str(settings.redis_url),
            "DATAFACTORY_DATA_DIR": str(settings.data_dir),
            "DATAFACTORY_GATEWAY_PORT": str(port),
            "PYTHONPATH": str(ROOT),
        }
    )
    command = [sys.executable, "-m", "services.gateway"]
    with log.open("wb") as out:
        # cwd: no .env of the checkout
        proc = subprocess.Popen(command, env=variables, cwd=folder, stdout=out, stderr=out)
        try:
            _healthy(f"http://127.0.0.1:{port}", proc)
            yield f"http://127.0.0.1:{port}", log
        finally:
            proc.terminate()
            proc.wait(timeout=20)
