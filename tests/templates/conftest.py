"""Template fixtures: the gateway's (a served app and its client, a Redis client)."""

from tests.gateway.conftest import client, redis, served

__all__ = ["client", "redis", "served"]
