"""The secrets a process knows, kept out of what it writes: failure details and log lines.

Providers and OpenAI-compatible servers quote a rejected key back in their error text, and
URLs may carry `user:password@`; either would otherwise reach the log that everyone reads."""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from shared.settings import Settings

MASK = "***"
# Variables that hold a credential by their name: OPENAI_API_KEY, ANTHROPIC_API_KEY, HF_TOKEN,
# AWS_SECRET_ACCESS_KEY, AWS_ACCESS_KEY_ID, DATAFACTORY_LLM_API_KEY, REDIS_PASSWORD…
_SECRET_NAME = re.compile(r"(KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIALS?)(_ID)?$", re.IGNORECASE)
# Shorter values occur in ordinary text ("true", a port): masking them would garble details.
_MIN_CHARS = 8
# The userinfo of any URL in the text; the rest of the URL stays readable.
_URL_USERINFO = re.compile(r"(?<=://)[^\s/@]+@")


def from_environment() -> list[str]:
    """Values of the environment's credential variables, whatever a library reads them for."""
    return [v for k, v in os.environ.items() if _SECRET_NAME.search(k) and len(v) >= _MIN_CHARS]


def of_settings(settings: Settings) -> list[str]:
    """The LLM key, the gateway's tokens and the S3 secret (which may come from `.env`, not
    the environment) and the Redis password."""
    keys = (
        settings.llm_api_key,
        settings.api_token,
        settings.metrics_token,
        settings.s3_secret_access_key,
    )
    found = [key.get_secret_value() for key in keys if key is not None]
    if settings.redis_url and urlsplit(settings.redis_url).password:
        found.append(str(urlsplit(settings.redis_url).password))
    return found


def redact(text: str, known: Iterable[str] = ()) -> str:
    """`text` without the environment's secrets, the `known` ones, or URL credentials."""
    return _mask(text, _ordered([*from_environment(), *known]))


def _ordered(secrets: Iterable[str]) -> list[str]:
    # Longest first: a key that contains another is masked whole, not left half shown.
    return sorted({s for s in secrets if len(s) >= _MIN_CHARS}, key=len, reverse=True)


def _mask(text: str, ordered: list[str]) -> str:
    for secret in ordered:
        text = text.replace(secret, MASK)
    return _URL_USERINFO.sub(MASK + "@", text)


class RedactingFilter(logging.Filter):
    """Masks secrets in every record a handler emits, messages and tracebacks alike."""

    def __init__(self, known: Iterable[str] = ()) -> None:
        super().__init__()
        # Read once: a filter runs on every record, and the environment is fixed at start-up.
        self._secrets = _ordered([*from_environment(), *known])

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = _mask(message, self._secrets)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info and not record.exc_text:
            trace = logging.Formatter().formatException(record.exc_info)
            record.exc_text = _mask(trace, self._secrets)
        return True


def guard_logs(settings: Settings) -> None:
    """Installs the filter on the root logger's handlers, where every logger's records end."""
    redacting = RedactingFilter(of_settings(settings))
    for handler in logging.getLogger().handlers:
        handler.addFilter(redacting)
