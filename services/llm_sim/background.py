"""Serves a simulator on 127.0.0.1 in a background thread, for tests and benchmarks."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from services.llm_sim.server import SimConfig, create_app
from shared.runtime.redis_server import free_port


@contextmanager
def serving(config: SimConfig, timeout_s: float = 10.0) -> Iterator[str]:
    """Yields the simulator's OpenAI base URL (`http://127.0.0.1:<port>/v1`) while it runs."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(config),
            host="127.0.0.1",
            port=port,
            log_level="warning",
            access_log=False,
            timeout_graceful_shutdown=1,
        )
    )
    thread = threading.Thread(target=server.run, name=f"llm-sim-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout_s
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"LLM simulator did not start on port {port}")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        server.should_exit = True
        thread.join(timeout=timeout_s)
