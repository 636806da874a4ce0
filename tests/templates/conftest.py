"""Template fixtures: the gateway's (a served app and its client, a Redis client) and the
end-to-end corpus URLs."""

from tests.e2e.conftest import corpus_urls
from tests.gateway.conftest import client, redis, served

__all__ = ["client", "corpus_urls", "redis", "served"]
