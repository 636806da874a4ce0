"""A job's staged batches in blob storage, so that a replica exports what every replica
staged: one object per batch. A file store's folder is `staging`'s data folder itself; from a
remote store the job's objects are brought to a local folder before an export, merged there
into columns (`staging.columns`), and the columns go back in place of the batches."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from services.shipper import staging
from shared.events import ExampleScored
from shared.storage.blobs import Storage


def _key(job_id: str, name: str = "") -> str:
    return f"staging/{job_id}/{name}".rstrip("/")


def put(
    storage: Storage, job_id: str, batch_name: str, scored: list[ExampleScored], min_score: float
) -> None:
    data = b"".join(staging.lines(scored, min_score))
    storage.put(_key(job_id, f"{batch_name}{staging.SUFFIX}"), data)


def any_staged(storage: Storage, job_id: str) -> bool:
    return bool(storage.sizes(_key(job_id)))


def pulled(storage: Storage, job_id: str) -> Path:
    """The data folder whose `staging/<job>` holds the job's staged files now."""
    if storage.root:
        return storage.root
    base = storage.scratch / "pulled"
    folder = staging.folder(base, job_id)
    folder.mkdir(parents=True, exist_ok=True)
    remote = storage.sizes(_key(job_id))
    columns = _key(job_id, staging.COLUMNS)
    for key in [columns] if columns in remote else sorted(remote):
        local = folder / PurePosixPath(key).name
        if not local.exists():
            storage.download(key, local)
    return base


def pushed(storage: Storage, job_id: str, base: Path) -> None:
    """The columns an export made go back to a remote store; the batches they hold go."""
    made = staging.folder(base, job_id) / staging.COLUMNS
    if storage.root or not made.exists():
        return
    columns, remote = _key(job_id, staging.COLUMNS), storage.sizes(_key(job_id))
    if columns not in remote:
        storage.put_file(columns, made)
    storage.delete([key for key in remote if key != columns])
