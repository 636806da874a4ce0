"""A job's scored examples, staged one sorted batch file at a time until it is exported: in
blob storage, so that a replica exports what every replica staged. A file store's folder is
the data folder itself; from a remote store the job's objects are brought to a local folder
before an export, merged there into columns (`columns.arrow_file`), and the columns go back
in place of the batches. Each batch lands whole (written, then renamed), so a crash never
leaves half a batch."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from services.shipper.records import staged_line
from shared.contract.events import ExampleScored
from shared.storage.blobs import Storage

SUFFIX = ".jsonl"
COLUMNS = "rows.arrow"


def folder(data_dir: Path, job_id: str) -> Path:
    return data_dir / "staging" / job_id


def land(target: Path, lines: Iterable[bytes]) -> None:
    """Writes under a name no other writer uses, then renames: the file appears whole."""
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    with tmp.open("wb") as f:
        f.writelines(lines)
    tmp.replace(target)


def lines(scored: list[ExampleScored], min_score: float) -> list[bytes]:
    """A batch's staged file: one sorted line per example."""
    return sorted(staged_line(s, min_score) for s in scored)


def append(
    data_dir: Path, job_id: str, batch_name: str, scored: list[ExampleScored], min_score: float
) -> None:
    target = folder(data_dir, job_id) / f"{batch_name}{SUFFIX}"
    target.parent.mkdir(parents=True, exist_ok=True)
    land(target, lines(scored, min_score))


def _key(job_id: str, name: str = "") -> str:
    return f"staging/{job_id}/{name}".rstrip("/")


def put(
    storage: Storage, job_id: str, batch_name: str, scored: list[ExampleScored], min_score: float
) -> None:
    data = b"".join(lines(scored, min_score))
    storage.put(_key(job_id, f"{batch_name}{SUFFIX}"), data)


def any_staged(storage: Storage, job_id: str) -> bool:
    return bool(storage.sizes(_key(job_id)))


def pulled(storage: Storage, job_id: str) -> Path:
    """The data folder whose `staging/<job>` holds the job's staged files now."""
    if storage.root:
        return storage.root
    base = storage.scratch / "pulled"
    here = folder(base, job_id)
    here.mkdir(parents=True, exist_ok=True)
    remote = storage.sizes(_key(job_id))
    columns = _key(job_id, COLUMNS)
    for key in [columns] if columns in remote else sorted(remote):
        local = here / PurePosixPath(key).name
        if not local.exists():
            storage.download(key, local)
    return base


def pushed(storage: Storage, job_id: str, base: Path) -> None:
    """The columns an export made go back to a remote store; the batches they hold go."""
    made = folder(base, job_id) / COLUMNS
    if storage.root or not made.exists():
        return
    columns, remote = _key(job_id, COLUMNS), storage.sizes(_key(job_id))
    if columns not in remote:
        storage.put_file(columns, made)
    storage.delete([key for key in remote if key != columns])
