"""The embedded Redis asks for the password it generated into the data directory."""

from __future__ import annotations

from pathlib import Path

import pytest
import redis

from shared.runtime.redis_server import RedisProcess


def test_the_embedded_redis_refuses_clients_without_its_password(tmp_path: Path) -> None:
    server = RedisProcess(tmp_path / "redis", appendonly=False).start()
    try:
        with pytest.raises(redis.AuthenticationError):
            redis.Redis(port=server.port).ping()
        assert redis.Redis.from_url(server.url).ping()
        assert (tmp_path / "redis" / "password").stat().st_mode & 0o077 == 0
        restarted = RedisProcess(tmp_path / "redis", appendonly=False)
        assert restarted.password == server.password, "the same password after a restart"
    finally:
        server.stop()
