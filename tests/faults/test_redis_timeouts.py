"""A Redis host that vanishes without closing its sockets: a service's command fails within its
timeout instead of hanging for the kernel's TCP timeout."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator

import pytest
from redis.exceptions import TimeoutError as RedisTimeoutError

from shared.runtime.redis_client import connect_url
from shared.runtime.redis_server import free_port


class Blackhole:
    """A TCP relay to Redis that can stop relaying while keeping every socket open."""

    def __init__(self, target_port: int) -> None:
        self.target_port, self.frozen = target_port, asyncio.Event()

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError):
            while data := await reader.read(65536):
                if self.frozen.is_set():
                    await asyncio.Event().wait()  # swallow it all, answer nothing, close nothing
                writer.write(data)
                await writer.drain()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))


@pytest.fixture
async def blackhole(redis_url: str) -> AsyncIterator[tuple[Blackhole, str]]:
    port = int(redis_url.rsplit(":", 1)[1].split("/")[0])
    hole, listen = Blackhole(port), free_port()
    server = await asyncio.start_server(hole._serve, "127.0.0.1", listen)
    prefix, _, rest = redis_url.rpartition(f":{port}")
    yield hole, f"{prefix}:{listen}{rest}"
    server.close()


async def test_a_command_to_a_vanished_redis_fails_within_the_timeout(
    blackhole: tuple[Blackhole, str],
) -> None:
    hole, url = blackhole
    client = connect_url(url, timeout_s=0.5)
    assert await client.ping()
    hole.frozen.set()
    started = time.monotonic()
    with pytest.raises(RedisTimeoutError):
        await asyncio.wait_for(client.ping(), timeout=10)
    assert time.monotonic() - started < 3
    await client.aclose(close_connection_pool=True)
