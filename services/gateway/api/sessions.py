"""The dashboard's login sessions: a cookie `<id>.<expiry>.<signature>`, signed with a key
derived from the API token, and a Redis key per live session that log-out deletes.

The signature and expiry are checked first, so a forged or stale cookie costs no round trip;
the Redis key makes a session end on the server (log-out, or its expiry), not only in the
browser that held it. A new token invalidates every cookie signed with the old one."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from ipaddress import ip_address

from pydantic import SecretStr
from redis.asyncio import Redis

from shared.settings import Settings

# A week, then the token is asked for again.
SESSION_S = 7 * 24 * 3600
_PREFIX = "df:gateway:session:"


def _key(session_id: str) -> str:
    # The id's hash: whoever reads Redis learns which sessions exist, not a cookie to use.
    return _PREFIX + hashlib.sha256(session_id.encode()).hexdigest()


class Sessions:
    def __init__(self, token: SecretStr, ttl_s: int = SESSION_S) -> None:
        secret = token.get_secret_value().encode()
        self._key = hmac.new(secret, b"datafactory dashboard sessions", hashlib.sha256).digest()
        self.ttl_s = ttl_s

    def _signature(self, session_id: str, expires: int) -> str:
        signed = f"{session_id}.{expires}".encode()
        return hmac.new(self._key, signed, hashlib.sha256).hexdigest()

    async def open(self, redis: Redis) -> str:
        """A new session's cookie value, live in Redis until it expires or is closed."""
        session_id = secrets.token_urlsafe(32)
        expires = int(time.time()) + self.ttl_s
        await redis.set(_key(session_id), expires, ex=self.ttl_s)
        return f"{session_id}.{expires}.{self._signature(session_id, expires)}"

    def _id(self, cookie: str) -> str | None:
        """The session id of a cookie this gateway signed and that has not expired."""
        session_id, _, rest = cookie.partition(".")
        expires, _, signature = rest.partition(".")
        if not expires.isdigit() or int(expires) < time.time():
            return None
        expected = self._signature(session_id, int(expires))
        return session_id if secrets.compare_digest(signature, expected) else None

    async def valid(self, redis: Redis, cookie: str) -> bool:
        session_id = self._id(cookie)
        return session_id is not None and bool(await redis.exists(_key(session_id)))

    async def close(self, redis: Redis, cookie: str) -> None:
        if (session_id := self._id(cookie)) is not None:
            await redis.delete(_key(session_id))


def forwarded_https(settings: Settings, client: str | None, forwarded_proto: str) -> bool:
    """The client reached a trusted proxy over HTTPS: its X-Forwarded-Proto says so, and it is
    one of DATAFACTORY_TRUSTED_PROXIES. Anyone else could claim it."""
    if client is None or forwarded_proto.split(",")[0].strip().lower() != "https":
        return False
    try:
        address = ip_address(client)
    except ValueError:
        return False
    return any(address in network for network in settings.trusted_proxies)
