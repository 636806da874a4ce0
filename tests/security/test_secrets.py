"""Keys the process knows never leave it in what it writes: item failures, the log streams and
log lines, even when a server quotes a rejected key back in its error."""

from __future__ import annotations

import io
import logging

import pytest
from pydantic import SecretStr
from redis.asyncio import Redis

from services.llm_sim.background import serving
from services.llm_sim.server import SimConfig
from shared import secrets
from shared.contract import streams
from shared.contract.events import ItemFailed
from shared.runtime.stage import failure
from shared.settings import Settings
from tests.factory.stage import chunks, run_factory, sim_stats
from tests.helpers import read_raw

PLANTED = "sk-proj-PLANTED-7c1e93d0aa"


async def log_bytes(redis_url: str) -> bytes:
    """Every value on every stream of the log."""
    redis = Redis.from_url(redis_url)
    found = b""
    for stream in streams.ALL_STREAMS:
        for _, fields in await read_raw(redis, stream):
            found += b"".join(fields.values())
    await redis.aclose()
    return found


async def test_a_provider_key_from_the_environment_quoted_in_an_llm_error_is_redacted(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """No key in the settings: litellm reads OPENAI_API_KEY (and OPENAI_API_BASE) itself, and
    the server's 401 quotes the key back."""
    caplog.set_level(logging.DEBUG)
    with serving(SimConfig(latency_ms=0, api_key="sk-the-right-one")) as url:
        monkeypatch.setenv("OPENAI_API_KEY", PLANTED)
        monkeypatch.setenv("OPENAI_API_BASE", url)
        outcomes = await run_factory(settings, chunks(2, model="gpt-4o-mini"))
        assert sim_stats(url)["outcomes"] == {"unauthorized": 2}
    assert [f.reason for f in outcomes.failed] == ["llm_http_401"] * 2
    assert "Incorrect API key provided: ***" in outcomes.failed[0].detail
    assert PLANTED not in caplog.text
    assert PLANTED.encode() not in await log_bytes(settings.redis_dsn)


async def test_the_settings_key_quoted_in_an_llm_error_is_redacted(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with serving(SimConfig(latency_ms=0, api_key="sk-the-right-one")) as url:
        wrong = settings.model_copy(
            update={"llm_api_base": url, "llm_api_key": SecretStr(PLANTED), "llm_timeout_s": 5}
        )
        outcomes = await run_factory(wrong, chunks(1))
    assert outcomes.failed[0].reason == "llm_http_401"
    assert PLANTED not in outcomes.failed[0].detail and PLANTED not in caplog.text
    assert PLANTED.encode() not in await log_bytes(settings.redis_dsn)


def test_every_item_failure_is_redacted_of_environment_keys_and_url_credentials(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-api03-abcdefgh")
    monkeypatch.setenv("HF_TOKEN", "hf_abcdefghijklmnop")
    monkeypatch.setenv("SHORT_TOKEN", "1")  # too short to be told from ordinary text
    detail = (
        "401 for sk-ant-api03-abcdefgh via https://bob:hunter22@proxy.example/v1 "
        "then hf_abcdefghijklmnop; retry 1"
    )
    failed = failure("factory", chunks(1)[0], "llm_http_401", detail).event
    assert isinstance(failed, ItemFailed)
    assert failed.detail == "401 for *** via https://***@proxy.example/v1 then ***; retry 1"


def test_the_redis_password_and_the_llm_key_of_the_settings_are_known(settings: Settings) -> None:
    with_secrets = settings.model_copy(
        update={
            "redis_url": "redis://:pw-0123456789@127.0.0.1:6379/0",
            "llm_api_key": SecretStr(PLANTED),
        }
    )
    assert set(secrets.of_settings(with_secrets)) == {"pw-0123456789", PLANTED}


def test_log_lines_and_tracebacks_are_redacted_where_the_handler_writes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", PLANTED)
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.addFilter(secrets.RedactingFilter(["settings-only-key-42"]))
    logger = logging.getLogger("tests.security.redaction")
    logger.addHandler(handler)
    try:
        logger.error("refused %s and %s", PLANTED, "settings-only-key-42")
        try:
            raise RuntimeError(f"Incorrect API key provided: {PLANTED}")
        except RuntimeError:
            logger.exception("call failed")
    finally:
        logger.removeHandler(handler)
    written = out.getvalue()
    assert "refused *** and ***" in written and "Incorrect API key provided: ***" in written
    assert PLANTED not in written and "settings-only-key-42" not in written


def test_redaction_leaves_text_without_secrets_alone() -> None:
    text = "HTTP 500 from http://127.0.0.1:8000/v1 after 3 retries"
    assert secrets.redact(text) == text
