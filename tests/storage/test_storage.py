"""The storage interface, the same on the local filesystem and on a real S3 API server."""

from __future__ import annotations

import asyncio
import pickle
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from shared import secrets
from shared.settings import Settings
from shared.storage import drafts
from shared.storage.blobs import Storage, TooLarge
from shared.storage.keys import OutsideStorage, checked
from tests.storage.s3 import on_s3


@pytest.fixture(params=["file", "s3"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Storage]:
    settings = Settings(data_dir=tmp_path / "data")
    if request.param == "s3":
        settings = on_s3(settings, request.getfixturevalue("s3_endpoint"))
    yield Storage.from_settings(settings)


def test_what_is_put_is_read_back_whole(storage: Storage) -> None:
    storage.put("raw/job/a.html", b"<p>one</p>")
    asyncio.run(storage.put_async("raw/job/b.html", b"<p>two</p>"))
    assert storage.get("raw/job/a.html") == b"<p>one</p>"
    assert asyncio.run(storage.get_async("raw/job/b.html")) == b"<p>two</p>"
    assert storage.sizes("raw/job") == {"raw/job/a.html": 10, "raw/job/b.html": 10}
    with pytest.raises(FileNotFoundError):
        storage.get("raw/job/c.html")


def test_an_object_over_the_limit_is_refused_before_it_is_read(storage: Storage) -> None:
    storage.put("raw/job/big.html", b"x" * 1000)
    with pytest.raises(TooLarge) as refused:
        storage.get("raw/job/big.html", limit=999)
    assert refused.value.size == 1000
    with pytest.raises(TooLarge):
        asyncio.run(storage.get_async("raw/job/big.html", limit=999))
    assert storage.get("raw/job/big.html", limit=1000) == b"x" * 1000


def test_a_download_streams_in_chunks(storage: Storage) -> None:
    data = bytes(range(256)) * 20_000  # 5 MB: several chunks
    storage.put("exports/job/v1/dataset.jsonl", data)

    async def read() -> tuple[int, bytes, int]:
        size, chunks = await storage.stream("exports/job/v1/dataset.jsonl")
        parts = [bytes(chunk) async for chunk in chunks]
        return size, b"".join(parts), len(parts)

    size, body, parts = asyncio.run(read())
    assert size == len(data) and body == data and parts > 1


def test_listing_and_deleting_a_jobs_objects(storage: Storage) -> None:
    for key in ("raw/j1/a.html", "raw/j1/b.html", "raw/j2/a.html", "text/j1/a.txt"):
        storage.put(key, b"12345")
    assert storage.folders("raw") == ["j1", "j2"]
    assert storage.sizes("raw/j1") == {"raw/j1/a.html": 5, "raw/j1/b.html": 5}
    storage.delete(list(storage.sizes("raw/j1")))
    assert storage.folders("raw") == ["j2"]
    assert storage.sizes("text") == {"text/j1/a.txt": 5}


@pytest.mark.parametrize(
    "key", ["/etc/passwd", "../secret", "raw/../../x", "raw//x", "raw/./x", "raw\\x", ""]
)
def test_keys_that_leave_the_store_are_refused(storage: Storage, key: str) -> None:
    with pytest.raises(OutsideStorage):
        storage.get(key)
    with pytest.raises(OutsideStorage):
        storage.put(key, b"x")


def test_a_key_must_lie_in_its_folder() -> None:
    assert checked("raw/job/a.html", "raw") == "raw/job/a.html"
    for key in ("text/job/a.txt", "raw", "rawx/a.html"):
        with pytest.raises(OutsideStorage):
            checked(key, "raw")


def test_a_published_group_appears_with_its_last_file_last(storage: Storage) -> None:
    draft = drafts.draft(storage, "exports/job/v1")
    (draft / "dataset.jsonl").write_bytes(b"{}\n")
    (draft / "manifest.json").write_bytes(b"{}")
    assert storage.sizes("exports/job/v1") == {}, "a draft is not published"
    drafts.publish(storage, draft, "exports/job/v1", last="manifest.json")
    assert storage.sizes("exports/job/v1") == {
        "exports/job/v1/dataset.jsonl": 3,
        "exports/job/v1/manifest.json": 2,
    }
    assert not draft.exists()


def test_leftover_drafts_of_killed_writers_go_when_a_group_is_published(storage: Storage) -> None:
    dead = drafts.draft(storage, "exports/job/v1")
    (dead / "dataset.jsonl").write_bytes(b"half")
    draft = drafts.draft(storage, "exports/job/v1")
    (draft / "manifest.json").write_bytes(b"{}")
    drafts.publish(storage, draft, "exports/job/v1", last="manifest.json")
    assert not dead.exists()
    assert storage.sizes("exports/job/v1") == {"exports/job/v1/manifest.json": 2}


def test_a_file_store_never_replaces_a_published_group(tmp_path: Path) -> None:
    storage = Storage.from_settings(Settings(data_dir=tmp_path))
    first, second = drafts.draft(storage, "exports/job/v1"), drafts.draft(storage, "exports/job/v1")
    (first / "manifest.json").write_bytes(b"first")
    (second / "manifest.json").write_bytes(b"second")
    drafts.publish(storage, first, "exports/job/v1", last="manifest.json")
    with pytest.raises(OSError):
        drafts.publish(storage, second, "exports/job/v1", last="manifest.json")
    assert storage.get("exports/job/v1/manifest.json") == b"first"


def test_a_worker_process_gets_a_working_copy(storage: Storage) -> None:
    storage.put("text/job/a.txt", b"words")
    copy = pickle.loads(pickle.dumps(storage))
    assert copy.get("text/job/a.txt") == b"words"


def test_a_signed_url_serves_an_s3_object(tmp_path: Path, s3_endpoint: str) -> None:
    settings = on_s3(Settings(data_dir=tmp_path, storage_presign_s=60), s3_endpoint)
    storage = Storage.from_settings(settings)
    storage.put("exports/job/v1/dataset.jsonl", b'{"a": 1}\n')
    url = asyncio.run(storage.signed_url("exports/job/v1/dataset.jsonl"))
    assert url is not None and url.startswith(s3_endpoint)
    assert httpx.get(url).content == b'{"a": 1}\n'
    local = Storage.from_settings(Settings(data_dir=tmp_path, storage_presign_s=60))
    assert asyncio.run(local.signed_url("exports/job/v1/dataset.jsonl")) is None


def test_the_default_store_is_the_data_directory(tmp_path: Path) -> None:
    storage = Storage.from_settings(Settings(data_dir=tmp_path / "data"))
    storage.put("raw/job/a.html", b"x")
    assert (tmp_path / "data" / "raw" / "job" / "a.html").read_bytes() == b"x"


def test_an_unknown_storage_url_is_refused_with_its_reason(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="file:///path or s3://bucket/prefix"):
        Storage.from_settings(Settings(data_dir=tmp_path, storage="ftp://host/x"))


def test_an_s3_secret_from_the_settings_is_redacted(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, s3_secret_access_key="s3-secret-0123456789")
    known = secrets.of_settings(settings)
    assert secrets.redact("403 signing with s3-secret-0123456789", known) == "403 signing with ***"
