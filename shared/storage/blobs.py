"""Blob storage behind one interface, chosen by URL: `file:///path` (the default: the data
directory) or `s3://bucket/prefix` on any S3-compatible store. Every write appears whole or
not at all."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import obstore
from obstore.store import LocalStore, ObjectStore, S3Store

from shared.settings import Settings
from shared.storage.keys import checked

# Big enough that a download is a few hundred writes per GB, small enough to stay in cache.
STREAM_CHUNK = 1 << 20


class TooLarge(ValueError):
    def __init__(self, key: str, size: int, limit: int) -> None:
        super().__init__(f"{key} has {size} bytes, over {limit}")
        self.size = size


class Storage:
    """Keys to bytes. Async methods for the stages' event loops; plain ones for worker
    processes and threads. Picklable: a worker process gets its own copy."""

    def __init__(
        self, store: ObjectStore, scratch: Path, presign_s: int = 0, address: str = ""
    ) -> None:
        self.store, self.scratch, self.presign_s = store, scratch, presign_s
        self.address = address.rstrip("/")  # the store's URL, as configured
        # A file store's own folder: the stores in one machine's data directory.
        self.root = Path(store.prefix) if isinstance(store, LocalStore) and store.prefix else None

    @classmethod
    def from_settings(cls, settings: Settings) -> Storage:
        url = settings.storage or settings.data_dir.resolve().as_uri()
        scratch, presign_s = settings.data_dir.resolve(), settings.storage_presign_s
        return cls(_store(url, settings), scratch, presign_s, url)

    @property
    def url(self) -> str:
        return self.root.as_uri() if self.root else repr(self.store)

    def location(self, key: str) -> str:
        """Where a person finds the object: its file on a file store, else its URL."""
        if self.root is not None:
            return str(self.root / checked(key))
        return f"{self.address}/{checked(key)}"

    async def put_async(self, key: str, data: bytes) -> None:
        # A file store writes a staged file and renames it; an S3 PUT is atomic per object.
        await obstore.put_async(self.store, checked(key), data)

    def put(self, key: str, data: bytes) -> None:
        obstore.put(self.store, checked(key), data)

    async def get_async(self, key: str, limit: int | None = None) -> bytes:
        """The object's bytes; TooLarge, before reading them, when over `limit`."""
        result = await obstore.get_async(self.store, checked(key))
        _within(key, result.meta["size"], limit)
        return bytes(await result.bytes_async())

    def get(self, key: str, limit: int | None = None) -> bytes:
        """The object's bytes; TooLarge, before reading them, when over `limit`."""
        result = obstore.get(self.store, checked(key))
        _within(key, result.meta["size"], limit)
        return bytes(result.bytes())

    async def size_async(self, key: str) -> int:
        """The object's size in bytes (FileNotFoundError if there is none)."""
        return (await obstore.head_async(self.store, checked(key)))["size"]

    def put_file(self, key: str, path: Path) -> None:
        """Uploads a file of any size (in parts when large; the object appears whole)."""
        obstore.put(self.store, checked(key), path)

    def download(self, key: str, path: Path) -> None:
        """Writes the object to `path`, which appears whole or not at all."""
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
        with tmp.open("wb") as f:
            for chunk in obstore.get(self.store, checked(key)).stream(STREAM_CHUNK):
                f.write(chunk)
        tmp.replace(path)

    async def stream(self, key: str) -> tuple[int, AsyncIterator[memoryview]]:
        """The object's size and its bytes a chunk at a time (FileNotFoundError if none)."""
        result = await obstore.get_async(self.store, checked(key))

        async def chunks() -> AsyncIterator[memoryview]:
            async for chunk in result.stream(min_chunk_size=STREAM_CHUNK):
                yield memoryview(chunk)

        return result.meta["size"], chunks()

    async def signed_url(self, key: str) -> str | None:
        """A URL that serves the object for `presign_s` seconds; None where none is made."""
        if not self.presign_s or not isinstance(self.store, S3Store):
            return None
        expires = timedelta(seconds=self.presign_s)
        return await obstore.sign_async(self.store, "GET", checked(key), expires)

    def sizes(self, prefix: str) -> dict[str, int]:
        """Every key under `prefix/` and its size."""
        found: dict[str, int] = {}
        for batch in obstore.list(self.store, f"{prefix.rstrip('/')}/", chunk_size=1000):
            found.update((meta["path"], meta["size"]) for meta in batch)
        return found

    def folders(self, prefix: str) -> list[str]:
        """The names of the folders right under `prefix/`."""
        listed = obstore.list_with_delimiter(self.store, f"{prefix.rstrip('/')}/")
        return sorted(p.rstrip("/").rsplit("/", 1)[-1] for p in listed["common_prefixes"])

    def delete(self, keys: list[str]) -> None:
        for start in range(0, len(keys), 1000):  # S3 deletes at most 1000 keys per request
            obstore.delete(self.store, [checked(k) for k in keys[start : start + 1000]])


def _store(url: str, settings: Settings) -> ObjectStore:
    if url.startswith("file://"):
        return LocalStore.from_url(url, mkdir=True, automatic_cleanup=True)
    if not url.startswith("s3://"):
        raise ValueError(f"DATAFACTORY_STORAGE {url!r}: use file:///path or s3://bucket/prefix")
    secret = settings.s3_secret_access_key
    given = {
        "endpoint": settings.s3_endpoint_url,
        "region": settings.s3_region,
        "access_key_id": settings.s3_access_key_id,
        "secret_access_key": secret.get_secret_value() if secret else None,
    }
    # What is not set here comes from the AWS_* environment, as every S3 client reads it.
    config = {name: value for name, value in given.items() if value}
    http = bool(settings.s3_endpoint_url and settings.s3_endpoint_url.startswith("http://"))
    return S3Store.from_url(url, config=config, client_options={"allow_http": http})  # type: ignore[arg-type]


def _within(key: str, size: int, limit: int | None) -> None:
    if limit is not None and size > limit:
        raise TooLarge(key, size, limit)
