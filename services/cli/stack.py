"""The embedded stack: a redis-server child, one process per stage, the gateway, the simulator."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from pydantic import SecretStr

from shared.runtime.redis_server import RedisProcess, free_port
from shared.settings import Settings

STAGES = ("spider", "refiner", "factory", "inspector", "shipper")


def settings_env(settings: Settings) -> dict[str, str]:
    """The settings as DATAFACTORY_* variables, so child processes run with the same ones."""
    env = {}
    for name, value in settings.model_dump(exclude_none=True).items():
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        elif isinstance(value, list):
            value = ",".join(str(v) for v in value)
        env[f"DATAFACTORY_{name.upper()}"] = str(value)
    return env


def uses_simulator(settings: Settings) -> bool:
    """No LLM configured: no api_base and no key for the default provider."""
    has_key = settings.llm_api_key is not None or bool(os.environ.get("OPENAI_API_KEY"))
    return settings.llm_api_base is None and not has_key


@dataclass
class Stack:
    settings: Settings
    replicas: dict[str, int] = field(default_factory=dict)
    redis: RedisProcess | None = None
    children: list[tuple[str, subprocess.Popen[bytes]]] = field(default_factory=list)
    commands: list[tuple[str, ...]] = field(default_factory=list)
    sim_args: tuple[str, ...] = ()
    env: dict[str, str] = field(default_factory=dict)

    @property
    def data_dir(self) -> Path:
        return self.settings.data_dir.resolve()

    @property
    def gateway_url(self) -> str:
        # A gateway on every interface is reached on loopback: its Host check knows that name.
        host = self.settings.gateway_host
        host = "127.0.0.1" if host in ("0.0.0.0", "") else "[::1]" if host == "::" else host
        return f"http://{host}:{self.settings.gateway_port}"

    def start(self) -> Stack:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.env = {**os.environ, **settings_env(self.settings)}
        self.env["DATAFACTORY_DATA_DIR"] = str(self.data_dir)
        redis_url = self.settings.redis_url
        if redis_url is None:
            self.redis = RedisProcess(self.data_dir / "redis").start()
            redis_url = self.redis.url
        self.env["DATAFACTORY_REDIS_URL"] = redis_url
        if uses_simulator(self.settings):
            self._start_simulator()
        for stage in STAGES:
            for _ in range(self.replicas.get(stage, 1)):
                self.spawn(stage, "-m", f"services.{stage}")
        self.spawn("gateway", "-m", "services.gateway")
        self._wait_healthy()
        self._write_state(redis_url)
        return self

    def _start_simulator(self) -> None:
        port = free_port()
        args = ("--host", "127.0.0.1", "--port", str(port), *self.sim_args)
        self.spawn("llm-sim", "-m", "services.llm_sim", *args)
        self.env["DATAFACTORY_LLM_API_BASE"] = f"http://127.0.0.1:{port}/v1"

    def spawn(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        proc = self._launch(name, args)
        self.children.append((name, proc))
        self.commands.append(args)
        return proc

    def _launch(self, name: str, args: tuple[str, ...]) -> subprocess.Popen[bytes]:
        log = (self.data_dir / "logs").joinpath(f"{name}.log")
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("ab") as out:
            # Its own process group: stopping a child also stops what it started (the
            # refiner's worker pool), and a terminal's Ctrl-C reaches only `up`.
            return subprocess.Popen(
                [sys.executable, *args],
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def restart_dead(self) -> list[str]:
        """Starts again every child that exited (as compose's `restart: unless-stopped`
        would); a stage's unsettled entries are reclaimed from the dead replica meanwhile."""
        if self.redis and self.redis.process and self.redis.process.poll() is not None:
            self.redis.start()  # same port and AOF: the log survives
        restarted = []
        for index, (name, proc) in enumerate(self.children):
            if proc.poll() is not None:
                _signal_group(proc, signal.SIGKILL)  # what the dead child left running
                self.children[index] = (name, self._launch(name, self.commands[index]))
                restarted.append(name)
        return restarted

    def _wait_healthy(self, timeout_s: float = 60.0) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            dead = [name for name, proc in self.children if proc.poll() is not None]
            if dead:
                raise RuntimeError(f"{', '.join(dead)} exited; see {self.data_dir / 'logs'}")
            try:
                if httpx.get(f"{self.gateway_url}/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gateway not healthy after {timeout_s}s; see {self.data_dir / 'logs'}")

    def _write_state(self, redis_url: str) -> None:
        state = {"gateway_url": self.gateway_url, "redis_url": redis_url, "pid": os.getpid()}
        (self.data_dir / "stack.json").write_text(json.dumps(state))

    def stop(self, grace_s: float = 15.0) -> None:
        """SIGTERM to every child's process group, then SIGKILL to whatever is left."""
        for _, proc in self.children:
            _signal_group(proc, signal.SIGTERM)
        deadline = time.monotonic() + grace_s
        for _, proc in self.children:
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            _signal_group(proc, signal.SIGKILL)
        self.children.clear()
        self.commands.clear()
        if self.redis:
            self.redis.stop()
        (self.data_dir / "stack.json").unlink(missing_ok=True)


def _signal_group(proc: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    """Signals the child's process group (its own: see `_launch`), if any of it is left."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, sig)


def running_gateway(settings: Settings) -> str | None:
    """The URL of a stack already serving this data directory, if any."""
    state_file = settings.data_dir.resolve() / "stack.json"
    if not state_file.exists():
        return None
    url = str(json.loads(state_file.read_text())["gateway_url"])
    try:
        return url if httpx.get(f"{url}/health", timeout=2).status_code == 200 else None
    except httpx.HTTPError:
        return None


def gateway_client(settings: Settings, url: str) -> httpx.Client:
    """A client of the gateway at `url`, with the API token when the settings hold one."""
    token = settings.api_token
    headers = {"Authorization": f"Bearer {token.get_secret_value()}"} if token else {}
    return httpx.Client(base_url=url, timeout=30, headers=headers)
