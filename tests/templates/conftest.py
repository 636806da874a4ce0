"""Template fixtures: the gateway's (a served app and its client, a Redis client), the
dashboard's simulated user, and the end-to-end corpus URLs."""

from tests.dashboard.conftest import dashboard, user
from tests.e2e.conftest import corpus_urls
from tests.gateway.conftest import client, redis, served

__all__ = ["client", "corpus_urls", "dashboard", "redis", "served", "user"]
