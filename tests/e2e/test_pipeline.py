"""Whole jobs through real processes: spider to shipper, crashes, and replay of the log."""

from __future__ import annotations

import json
import sqlite3
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import redis

from services.gateway.readmodel.rebuild import rebuild
from shared.contract import streams
from shared.settings import Settings
from shared.storage.blobs import Storage
from tests.e2e.conftest import Pipeline, pipeline
from tests.helpers import job_log
from tests.shipper.read_model import figures
from tests.storage.s3 import on_s3

# Whole processes on CI's two busy cores: minutes, not the one-minute default.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

TABLES = ("projects", "jobs", "raw_documents", "chunks", "training_examples", "exports")


def rows(db: Path, table: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db) as conn:
        return sorted(conn.execute(f"SELECT * FROM {table}").fetchall(), key=repr)


def content(records: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    """What an example says and where it came from, independent of the job's ids."""
    return sorted((r["metadata"]["source_url"], r["input"], r["output"]) for r in records)


@pytest.mark.parametrize("storage", ["file", "s3"])
def test_a_job_flows_from_urls_to_a_traceable_dataset(
    settings: Settings, corpus_urls: list[str], storage: str, request: pytest.FixtureRequest
) -> None:
    if storage == "s3":  # every page, text and export in a real S3 API server
        settings = on_s3(settings, request.getfixturevalue("s3_endpoint"))
    with pipeline(settings, {}) as p:
        job_id = p.submit(corpus_urls)
        job = p.wait_exported(job_id)
        records = p.records(job)
        events: Counter[str] = Counter(
            e.type for e in job_log(p.stack.env["DATAFACTORY_REDIS_URL"], job_id)
        )
        with p.db() as db:
            chunks = dict(db.execute("SELECT id, document_id FROM chunks").fetchall())
            docs = dict(db.execute("SELECT id, url FROM raw_documents").fetchall())
            counts = {t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in TABLES}
    assert records, "the dataset has examples"
    assert events["FetchPage"] == len(corpus_urls)
    assert events["PageFetched"] + _spider_failures(events) >= 1
    for record in records:
        meta = record["metadata"]
        assert meta["source_url"] in corpus_urls
        assert chunks[meta["chunk_id"]] == meta["document_id"]
        assert docs[meta["document_id"]] == meta["source_url"]
    assert counts["raw_documents"] == events["PageFetched"]
    assert counts["chunks"] == events["ChunkMade"] + events["ChunkDropped"]
    assert counts["training_examples"] == events["ExampleGenerated"]
    assert counts["exports"] == events["ExportWritten"] == 1
    assert len(records) == job["exports"][-1]["record_count"] > 0
    # Every number on the dataset card is the read model's.
    stored = Storage.from_settings(settings)
    manifest = json.loads(stored.get(job["exports"][-1]["manifest_path"]))
    assert manifest["figures"] == figures(p.stack.data_dir / "datafactory.db", job_id)
    kept = ("raw", "text", "staging", "exports")
    assert all(stored.folders(folder) == [job_id] for folder in kept)
    on_disk = {f for f in kept if (p.stack.data_dir / f).exists()}
    assert on_disk == (set() if storage == "s3" else set(kept))


def _spider_failures(events: Counter[str]) -> int:
    return events["ItemFailed"]


def test_replaying_the_log_rebuilds_identical_read_models(
    settings: Settings, corpus_urls: list[str], tmp_path: Path
) -> None:
    with pipeline(settings, {}) as p:
        p.wait_exported(p.submit(corpus_urls[:5]))
        live = p.stack.data_dir / "datafactory.db"
        replayed = tmp_path / "replayed.db"
        redis_url = p.stack.env["DATAFACTORY_REDIS_URL"]
        count = rebuild(settings.model_copy(update={"redis_url": redis_url}), replayed)
        assert count > 0
        for table in TABLES:
            assert rows(replayed, table) == rows(live, table), table


def kill_busy_replica(p: Pipeline, stage: str, timeout: float = 60) -> int:
    """SIGKILLs a replica of `stage` while it holds pending entries; returns its pid."""
    client = redis.Redis.from_url(p.stack.env["DATAFACTORY_REDIS_URL"])
    ours = {proc.pid for name, proc in p.stack.children if name == stage}
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            consumers = client.xinfo_consumers(streams.STAGE_STREAM[stage], stage)
        except redis.ResponseError:  # the stream or group does not exist yet
            consumers = []
        for consumer in consumers:
            pid = int(consumer["name"].decode().rsplit("-", 2)[1])
            if consumer["pending"] > 0 and pid in ours:
                p.kill(pid)
                return pid
        time.sleep(0.005)
    raise AssertionError(f"no busy {stage} replica within {timeout}s")


def test_killed_replicas_lose_nothing_and_double_nothing(
    settings: Settings, corpus_urls: list[str], tmp_path: Path
) -> None:
    sim = ("--latency-ms", "60", "--jitter-ms", "20")
    with pipeline(settings, {}, sim) as p:
        undisturbed = content(p.records(p.wait_exported(p.submit(corpus_urls))))
    redis.Redis.from_url(settings.redis_dsn).flushall()
    disturbed_settings = settings.model_copy(update={"data_dir": tmp_path / "disturbed"})
    # Two inspectors as well: examples arrive at the export in another order, and duplicate
    # removal (on by default) still keeps the same copies.
    with pipeline(disturbed_settings, {"refiner": 2, "factory": 2, "inspector": 2}, sim) as p:
        job_id = p.submit(corpus_urls)
        kill_busy_replica(p, "refiner")
        kill_busy_replica(p, "factory")
        records = p.records(p.wait_exported(job_id, timeout=240))
        with p.db() as db:
            db_ids = [r[0] for r in db.execute("SELECT id FROM training_examples")]
    ids = [r["id"] for r in records]
    assert len(ids) == len(set(ids)), "no duplicate examples in the export"
    assert len(db_ids) == len(set(db_ids)), "no duplicate examples in the read model"
    assert content(records) == undisturbed
