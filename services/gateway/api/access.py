"""Who may talk to the gateway: known Host headers only, and a token whenever it binds beyond
loopback (checked on each request by `gate.TokenGate`)."""

from __future__ import annotations

import secrets
from ipaddress import ip_address

from pydantic import SecretStr

from shared.settings import Settings

# As Host headers name them: an IPv6 address in brackets.
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "[::1]")

# Shorter tokens are guessable through the login form, which has no attempt limit.
MIN_TOKEN_CHARS = 16


class TokenRequired(RuntimeError):
    """The gateway would listen beyond loopback with nobody's identity checked, or with a
    token short enough to guess."""


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def token_of(settings: Settings) -> SecretStr | None:
    """The token requests must carry, or None on loopback without one; raises TokenRequired
    when the gateway binds anything else without a token."""
    token = settings.api_token
    if token is not None and not token.get_secret_value().strip():
        token = None
    if token is not None and len(token.get_secret_value().strip()) < MIN_TOKEN_CHARS:
        raise TokenRequired(
            f"DATAFACTORY_API_TOKEN is shorter than {MIN_TOKEN_CHARS} characters; "
            "generate one with `openssl rand -hex 32`"
        )
    if token is None and not is_loopback(settings.gateway_host):
        raise TokenRequired(
            f"the gateway binds {settings.gateway_host}, beyond loopback: set "
            "DATAFACTORY_API_TOKEN (e.g. `openssl rand -hex 32`) or bind 127.0.0.1"
        )
    return token


def allowed_hosts(settings: Settings) -> list[str]:
    """Host headers answered: loopback names, the bind address, and the configured ones."""
    wildcard = settings.gateway_host in ("0.0.0.0", "::", "")
    bound = [] if wildcard else [_as_host_header(settings.gateway_host)]
    configured = [_as_host_header(host) for host in settings.allowed_hosts]
    return list(dict.fromkeys([*LOOPBACK_HOSTS, *bound, *configured]))


def _as_host_header(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def same_secret(given: str, expected: str) -> bool:
    return secrets.compare_digest(given.encode(), expected.encode())
