"""The embedded stack as `datafactory up` runs it: real processes, a crashed one restarts."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from services.cli.stack import Stack
from shared.runtime.redis_server import free_port
from shared.settings import Settings

# Every stage as a process, and the demo's whole job: up to half a minute locally.
pytestmark = pytest.mark.timeout(180)


def test_the_stack_serves_the_gateway_and_restarts_a_dead_stage(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", gateway_port=free_port(), redis_url=None)
    stack = Stack(settings).start()
    try:
        assert httpx.get(f"{stack.gateway_url}/health", timeout=5).json()["status"] == "ok"
        assert (tmp_path / "data" / "redis" / "appendonlydir").exists(), (
            "embedded Redis keeps an AOF"
        )
        names = [name for name, _ in stack.children]
        assert {
            "spider",
            "refiner",
            "factory",
            "inspector",
            "shipper",
            "gateway",
            "llm-sim",
        } <= set(names)
        index = names.index("refiner")
        old = stack.children[index][1]
        os.kill(old.pid, signal.SIGKILL)
        old.wait(10)
        assert stack.restart_dead() == ["refiner"]
        assert stack.children[index][1].pid != old.pid
        assert stack.children[index][1].poll() is None
    finally:
        stack.stop()
    assert not (tmp_path / "data" / "stack.json").exists()


def test_the_demo_prints_the_path_of_a_dataset_it_wrote(tmp_path: Path) -> None:
    """The README's first command: a real job on the sample site, end to end."""
    env = {
        **os.environ,
        "DATAFACTORY_DATA_DIR": str(tmp_path / "data"),
        "DATAFACTORY_GATEWAY_PORT": str(free_port()),
    }
    env.pop("DATAFACTORY_REDIS_URL", None)
    done = subprocess.run(
        [sys.executable, "-m", "services.cli", "run", "--sample"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    dataset = Path(done.stdout.strip().splitlines()[-1])
    assert dataset.is_file() and dataset.is_relative_to(tmp_path / "data")
    records = [json.loads(line) for line in dataset.read_text().splitlines()]
    assert records and all(r["input"] and r["output"] for r in records)
