"""Shared fixtures: a real redis-server, fresh settings, and the corpus served on 127.0.0.1."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from ipaddress import ip_network
from pathlib import Path
from typing import Any

import pytest
import redis

from shared.runtime.redis_server import RedisProcess
from shared.settings import Settings
from tests.storage.s3 import s3_server
from tests.web import Loopback

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "web"
# Tests and CI run as root, where Chromium's sandbox cannot start and the spider refuses to
# render without it unless told: tell it, for every spider these tests start (processes too).
# DATAFACTORY_CHROMIUM_NO_SANDBOX=0 in the environment runs them with the sandbox instead.
os.environ.setdefault("DATAFACTORY_CHROMIUM_NO_SANDBOX", "1")


@pytest.fixture(scope="session")
def redis_process(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisProcess]:
    proc = RedisProcess(tmp_path_factory.mktemp("redis"), appendonly=False).start()
    yield proc
    proc.stop()


@pytest.fixture
def redis_url(redis_process: RedisProcess) -> str:
    client = redis.Redis.from_url(redis_process.url)
    client.flushall()
    client.close()
    return redis_process.url


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """A real S3 API server on 127.0.0.1 (moto's), for blob storage on S3."""
    with s3_server() as endpoint:
        yield endpoint


@pytest.fixture
def settings(redis_url: str, tmp_path: Path) -> Settings:
    return Settings(
        redis_url=redis_url,
        data_dir=tmp_path / "data",
        claim_idle_ms=1500,
        polling_interval_ms=50,
        llm_api_base=None,
        allowed_networks=[ip_network("127.0.0.0/8")],
    )


@pytest.fixture(scope="session")
def corpus_manifest() -> list[dict[str, Any]]:
    lines = (CORPUS / "manifest.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines if line.strip()]


@pytest.fixture(scope="session")
def corpus_server() -> Iterator[str]:
    """Base URL of an HTTP server on 127.0.0.1 serving the corpus pages as files."""
    with Loopback.files(CORPUS) as web:
        yield web.bases[0]


@pytest.fixture(scope="session")
def corpus_hosts() -> Iterator[list[str]]:
    """Base URLs of 20 distinct loopback hosts (127.0.0.2-21) that all serve the corpus."""
    with Loopback.files(CORPUS, [f"127.0.0.{i}" for i in range(2, 22)]) as web:
        yield web.bases
