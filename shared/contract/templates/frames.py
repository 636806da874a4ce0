"""The messages between a process and its template worker: JSON, each after its length."""

from __future__ import annotations

import json
import os
import select
import struct
import time
from typing import IO, Any

_HEADER = struct.Struct(">I")


class WorkerLost(Exception):
    """The worker's end of the pipe closed: it exited or was killed."""


def write(stream: IO[bytes], message: Any) -> None:
    body = json.dumps(message, separators=(",", ":")).encode()
    try:
        stream.write(_HEADER.pack(len(body)) + body)
        stream.flush()
    except (BrokenPipeError, ValueError) as exc:  # ValueError: the pipe was closed here
        raise WorkerLost(str(exc)) from None


def read(stream: IO[bytes]) -> Any | None:
    """The next message, blocking; None at the end of the stream (the other side is gone)."""
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        return None
    (size,) = _HEADER.unpack(header)
    return json.loads(stream.read(size))


def read_by(fd: int, deadline: float) -> Any:
    """The next message on `fd`, if it arrives before `deadline` (time.monotonic()); raises
    TimeoutError, or WorkerLost at the end of the stream."""
    (size,) = _HEADER.unpack(_exactly(fd, _HEADER.size, deadline))
    return json.loads(_exactly(fd, size, deadline))


def _exactly(fd: int, size: int, deadline: float) -> bytes:
    chunks, got = [], 0
    while got < size:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            raise TimeoutError
        chunk = os.read(fd, min(size - got, 1 << 20))
        if not chunk:
            raise WorkerLost("end of stream")
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)
