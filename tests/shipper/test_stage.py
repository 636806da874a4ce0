"""The shipper on a real Redis: staging, exports on completion and on request, the card
against the gateway's read model, and a shipper killed in the middle of an export."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from redis.asyncio import Redis

from services.gateway.readmodel.archive import Archiver
from services.gateway.readmodel.rebuild import replay
from services.shipper.app import create_app
from services.shipper.manifest import Manifest
from shared.contract import streams
from shared.contract.config import ExportConfig, GenerationConfig, JobConfig
from shared.contract.events import ExampleScored, ExportJob, ExportWritten, ItemFailed
from shared.ops import retention
from shared.runtime import costs
from shared.settings import Settings
from tests.helpers import configure, publish, read_all, running, wait_for
from tests.shipper import read_model
from tests.shipper.joblog import JobLog, job_log


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url)
    yield client
    await client.aclose()


async def logged(redis: Redis, log: JobLog) -> None:
    await configure(redis, log.job_id, config=log.config)
    for stream, event in log.entries:
        await publish(redis, stream, event)
    await publish(redis, streams.SHIPPER, log.completed)


async def exports_written(redis: Redis, n: int) -> list[ExportWritten]:
    async def probe() -> list[ExportWritten]:
        return [e for e in await read_all(redis, streams.EVENTS) if isinstance(e, ExportWritten)]

    return await wait_for(probe, lambda found: len(found) >= n, timeout=20)


def card_tables(card: str) -> dict[str, dict[str, str]]:
    """`### Name` headings and the `| label | value |` rows under them."""
    tables: dict[str, dict[str, str]] = {}
    current: dict[str, str] = {}
    for line in card.splitlines():
        if line.startswith("### "):
            current = tables.setdefault(line[4:].lower(), {})
        elif line.startswith("## "):
            current = {}
        elif line.startswith("| ") and not line.startswith("|---"):
            label, value = (cell.strip() for cell in line.strip("|").split("|")[:2])
            current[label] = value
    return {name: {k: v for k, v in rows.items() if k != name} for name, rows in tables.items()}


def front_matter(card: str) -> dict[str, Any]:
    head = card.split("---\n")[1]
    loaded: dict[str, Any] = yaml.safe_load(head)
    return loaded


async def test_the_card_of_a_finished_job_shows_the_read_models_numbers(
    settings: Settings, redis: Redis, tmp_path: Path
) -> None:
    log = job_log()
    await logged(redis, log)
    async with running(create_app(settings)):
        (written,) = await exports_written(redis, 1)
    db = tmp_path / "read-model.db"
    await replay(settings.redis_dsn, db)
    manifest = Manifest.load((settings.data_dir / written.manifest_key).parent)
    expected = read_model.figures(db, log.job_id)
    assert manifest.figures == expected
    card = (settings.data_dir / written.card_key).read_text()
    shown = card_tables(card)
    for section in expected.values():
        for name, rows in section.items():
            assert shown[name] == {k: str(v) for k, v in rows.items()}, name
    meta = front_matter(card)
    assert meta["configs"][0]["data_files"] == [{"split": "train", "path": "dataset.jsonl"}]
    assert meta["size_categories"] == ["n<1K"] and meta["license"] == "other"
    assert meta["task_categories"] == ["question-answering"] and meta["language"] == ["en"]
    assert written.record_count == expected["quality"]["quality"]["passed"]


async def test_an_export_request_writes_one_new_export_however_often_it_is_delivered(
    settings: Settings, redis: Redis
) -> None:
    log = job_log(pages=4)
    await logged(redis, log)
    request = ExportJob(event_id="request_1", job_id=log.job_id, export=ExportConfig(format="csv"))
    async with running(create_app(settings)):
        first = (await exports_written(redis, 1))[0]
        await publish(redis, streams.SHIPPER, request, request)
        found = await exports_written(redis, 3)
    again = [e for e in found if e.caused_by == request.event_id]
    assert len(again) == 2 and again[0] == again[1], "a repeat names the same export"
    assert again[0].export_id == request.export_id and again[0].format == "csv"
    first_folder = (settings.data_dir / first.key).parent
    folders = {p.name for p in first_folder.parent.iterdir()}
    assert folders == {first_folder.name, (settings.data_dir / again[0].key).parent.name}


async def test_an_export_asked_before_the_job_finished_fails_with_a_reason(
    settings: Settings, redis: Redis
) -> None:
    await configure(redis, "job_busy")
    await redis.hset(streams.tally_key("job_busy"), "outstanding", 3)
    request = ExportJob(event_id="request_2", job_id="job_busy", export=ExportConfig())
    await publish(redis, streams.SHIPPER, request)

    async def failures() -> list[Any]:
        return [e for e in await read_all(redis, streams.EVENTS) if isinstance(e, ItemFailed)]

    async with running(create_app(settings)):
        (failed,) = await wait_for(failures, bool, timeout=20)
    assert (failed.stage, failed.reason, failed.item_id) == (
        "shipper",
        "job_not_finished",
        "request_2",
    )


async def test_an_export_asked_after_the_staged_examples_were_removed_fails_rather_than_empty(
    settings: Settings, redis: Redis
) -> None:
    log = job_log(pages=4)
    await configure(redis, log.job_id, config=log.config)
    for stream, event in log.entries:  # the examples themselves are left out: nothing staged
        if not isinstance(event, ExampleScored):
            await publish(redis, stream, event)
    request = ExportJob(event_id="request_3", job_id=log.job_id, export=ExportConfig())
    await publish(redis, streams.SHIPPER, request)

    async def failures() -> list[Any]:
        return [e for e in await read_all(redis, streams.EVENTS) if e.type == "ItemFailed"]

    async with running(create_app(settings)):
        found = await wait_for(failures, lambda f: any(e.stage == "shipper" for e in f))
    (failed,) = [e for e in found if e.stage == "shipper"]
    assert failed.reason == "staging_removed" and "examples are no longer staged" in failed.detail
    assert not (settings.data_dir / "exports").exists()


async def test_a_shipped_jobs_working_state_expires_and_its_config_is_kept_longer(
    settings: Settings, redis: Redis
) -> None:
    log = job_log()
    await redis.hset(streams.tally_key(log.job_id), "outstanding", 0)
    await logged(redis, log)
    async with running(create_app(settings)):
        await exports_written(redis, 1)
        tally = await wait_for(lambda: redis.ttl(streams.tally_key(log.job_id)), lambda t: t > 0)
    assert tally <= retention.WORKING_TTL_S
    assert await redis.ttl(streams.job_config_key(log.job_id)) > retention.WORKING_TTL_S


async def test_a_card_counts_the_facts_already_moved_from_redis_to_the_logs_archive(
    settings: Settings, redis: Redis, tmp_path: Path
) -> None:
    log = job_log()
    await logged(redis, log)
    everything = {s: "9999999999999-0" for s in streams.ALL_STREAMS}
    moved = await Archiver(redis, settings.data_dir, lambda: everything, keep_s=0).once()
    assert moved and await redis.xlen(streams.EVENTS) == 0
    assert await redis.xlen(streams.SHIPPER) > 0, "the shipper's work waits for its group"
    async with running(create_app(settings)):
        (written,) = await exports_written(redis, 1)
    db = tmp_path / "read-model.db"
    await replay(settings.redis_dsn, db, data_dir=settings.data_dir)
    manifest = Manifest.load((settings.data_dir / written.manifest_key).parent)
    assert manifest.figures == read_model.figures(db, log.job_id)


async def test_a_batch_mode_card_shows_the_saving_the_api_shows(
    settings: Settings, redis: Redis, tmp_path: Path
) -> None:
    batch = JobConfig(generation=GenerationConfig(mode="batch"))
    log = job_log(config=batch)
    await logged(redis, log)
    async with running(create_app(settings)):
        (written,) = await exports_written(redis, 1)
    db = tmp_path / "read-model.db"
    await replay(settings.redis_dsn, db)
    generation = card_tables((settings.data_dir / written.card_key).read_text())["generation"]
    facts = read_model.figures(db, log.job_id)["generation"]["generation"]
    paid = float(facts["cost (USD)"])
    tokens = int(facts["prompt tokens"]), int(facts["completion tokens"])
    found = costs.batch_saving(str(facts["models"]), *tokens, paid, None)
    assert found is not None, "the log's model is priced"
    online, saved = found
    assert generation["cost online (USD)"] == f"{online:.6f}"
    assert generation["saved by batch mode (USD)"] == f"{saved:.6f}"
