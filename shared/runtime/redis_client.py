"""How a service opens Redis: bounded waits for a connection and for each reply, and TCP
keepalive, so a vanished Redis host fails commands (which the runtime retries or releases)
instead of hanging them."""

from __future__ import annotations

from redis.asyncio import Redis

from shared.settings import Settings

CONNECT_TIMEOUT_S = 5.0


def connect(settings: Settings) -> Redis:
    return connect_url(settings.redis_dsn, settings.redis_timeout_s)


def connect_url(url: str, timeout_s: float) -> Redis:
    """`timeout_s` must exceed the longest command the caller blocks on (XREAD BLOCK)."""
    return Redis.from_url(
        url,
        socket_timeout=timeout_s,
        socket_connect_timeout=min(timeout_s, CONNECT_TIMEOUT_S),
        socket_keepalive=True,
    )
