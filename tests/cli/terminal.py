"""Runs `datafactory` as a script or a person would: in a subprocess whose stdout and stderr
are pipes, files, or a pseudo-terminal of a given width."""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Ran:
    code: int
    out: str  # stdout, or everything the terminal showed when stdout was the terminal
    err: str  # stderr, or everything the terminal showed when stderr was the terminal


def cli_env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATAFACTORY_")}
    for name in ("FORCE_COLOR", "NO_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "COLUMNS"):
        env.pop(name, None)
    return env | {"DATAFACTORY_DATA_DIR": str(data_dir), **extra}


def _terminal(columns: int) -> tuple[int, int]:
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    return leader, follower


def _drain(fd: int, into: list[bytes]) -> None:
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # EIO: every writer of the terminal has closed it
            return
        if not chunk:
            return
        into.append(chunk)


def datafactory(
    *args: str,
    env: dict[str, str],
    tty: tuple[str, ...] = (),
    columns: int = 40,
    stdout: IO[bytes] | None = None,
    timeout_s: float = 300,
) -> Ran:
    """`tty` names the streams ("stdout", "stderr") that are a terminal `columns` wide; the
    rest are pipes, or `stdout` a file."""
    leader, follower = _terminal(columns)
    shown: list[bytes] = []
    reader = threading.Thread(target=_drain, args=(leader, shown), daemon=True)
    out = follower if "stdout" in tty else (stdout or subprocess.PIPE)
    err = follower if "stderr" in tty else subprocess.PIPE
    command = [sys.executable, "-m", "services.cli", *args]
    with subprocess.Popen(
        command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err
    ) as proc:
        os.close(follower)
        reader.start()
        piped_out, piped_err = proc.communicate(timeout=timeout_s)
    reader.join(timeout=10)
    os.close(leader)
    screen = b"".join(shown).decode(errors="replace").replace("\r\n", "\n")
    return Ran(
        proc.returncode,
        screen if "stdout" in tty else (piped_out or b"").decode(),
        screen if "stderr" in tty else (piped_err or b"").decode(),
    )
