"""A small pool of template worker processes: a request waits for a free worker, which is
started on first use and reused; one that misses its deadline is killed, and the next
request starts another. The waiting is on a pipe, so it holds no lock a thread needs."""

from __future__ import annotations

import atexit
import functools
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from shared import secrets
from shared.contract.templates import frames
from shared.contract.templates.errors import (
    TemplateError,
    TemplateOutputError,
    TemplateTimeout,
    cut,
)

POOL_SIZE = 2  # a render takes about a millisecond: two cover the factory's LLM concurrency
START_S = 30.0  # a worker's imports, on a machine busy with other work
_DOING = {"template_timeout": "rendering", "schema_timeout": "validating against output_schema"}
_ROOT = str(Path(__file__).resolve().parents[3])  # where `shared` is, for the worker's imports


class _Worker:
    def __init__(self) -> None:
        # No inherited environment: whatever escapes the sandbox finds no key in it.
        env = {"PATH": os.defpath, "PYTHONPATH": _ROOT, "PYTHONDONTWRITEBYTECODE": "1"}
        command = "from shared.contract.templates.worker import main; main()"
        self.process = subprocess.Popen(
            [sys.executable, "-c", command],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            cwd="/",
        )
        try:
            self.ask(None, START_S)  # its `ready`
        except BaseException:
            self.kill()
            raise

    def ask(self, request: dict[str, Any] | None, seconds: float) -> Any:
        assert self.process.stdin is not None and self.process.stdout is not None
        if request is not None:
            frames.write(self.process.stdin, request)
        return frames.read_by(self.process.stdout.fileno(), time.monotonic() + seconds)

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> int:
        self.process.kill()
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None:
                pipe.close()
        return self.process.wait()


class WorkerPool:
    def __init__(self, size: int = POOL_SIZE) -> None:
        self._changed = threading.Condition()
        self._idle: list[_Worker] = []  # the last one back serves next: it is warm
        self._unstarted = size  # slots free for a worker to start in

    def ask(self, request: dict[str, Any], seconds: float, timeout_reason: str) -> Any:
        """The worker's answer to `request`; raises TemplateTimeout(`timeout_reason`) past
        `seconds`, and the error the worker reports, redacted and cut, as its own type."""
        worker = self._take()
        try:
            if worker is None or not worker.alive():
                worker = self._start(worker)
            reply = worker.ask(request, seconds)
        except (TimeoutError, frames.WorkerLost) as exc:
            code = worker.kill() if worker else 0
            worker = None
            if isinstance(exc, TimeoutError):
                message = f"{_DOING.get(timeout_reason, 'it')} took longer than {seconds:g} s"
                raise TemplateTimeout(timeout_reason, message) from None
            raise _lost(code, timeout_reason) from None
        finally:
            self._give(worker)
        return _result(reply)

    def _take(self) -> _Worker | None:
        with self._changed:
            self._changed.wait_for(lambda: self._idle or self._unstarted)
            if self._idle:
                return self._idle.pop()
            self._unstarted -= 1
            return None

    def _give(self, worker: _Worker | None) -> None:
        with self._changed:
            if worker is None:
                self._unstarted += 1
            else:
                self._idle.append(worker)
            self._changed.notify()

    def _start(self, dead: _Worker | None) -> _Worker:
        if dead is not None:
            dead.kill()  # reaps it
        try:
            return _Worker()
        except (OSError, TimeoutError, frames.WorkerLost) as exc:
            raise TemplateError(f"no template worker could start: {type(exc).__name__}") from None

    def close(self) -> None:
        """Stops the idle workers (at exit; a busy one ends with its request)."""
        with self._changed:
            idle, self._idle = self._idle, []
            self._unstarted += len(idle)
        for worker in idle:
            worker.kill()


def _lost(code: int, timeout_reason: str) -> TemplateError:
    if code in (-signal.SIGXCPU, -signal.SIGKILL):
        doing = _DOING.get(timeout_reason, "it")
        return TemplateTimeout(timeout_reason, f"{doing} ran out of CPU time")
    return TemplateError(f"the template worker stopped (exit {code}): out of memory?")


def _result(reply: dict[str, Any]) -> Any:
    kind = reply.get("error")
    if kind is None:
        return reply["ok"]
    if kind == "output":
        raise TemplateOutputError(reply["reason"], _said(reply["detail"]))
    if kind == "timeout":
        raise TemplateTimeout(reply["reason"], _said(reply["message"]))
    raise TemplateError(_said(reply["message"]))


def _said(text: str) -> str:
    # What a worker says quotes the user's template and answer: never a secret, never long.
    return cut(secrets.redact(text))


def default_pool() -> WorkerPool:
    """This process's pool, started on first use: like the registry, one per process (a
    forked child gets its own, never its parent's pipes)."""
    return _pool_of(os.getpid())


@functools.cache
def _pool_of(pid: int) -> WorkerPool:
    pool = WorkerPool()
    atexit.register(pool.close)
    return pool
