"""The gateway's fixtures (Redis client, read-model engines, the served app) for review tests."""

from tests.gateway.conftest import client, db_path, reader, redis, served, writer

__all__ = ["client", "db_path", "reader", "redis", "served", "writer"]
