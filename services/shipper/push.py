"""Uploads an export to a dataset repository on a Hugging Face hub (`datafactory push`)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from huggingface_hub import HfApi

from services.shipper.export import found
from services.shipper.manifest import MANIFEST, Manifest
from shared.storage.blobs import Storage


class NoExport(LookupError):
    pass


def _exports_of(storage: Storage, job_id: str) -> list[tuple[str, Manifest]]:
    """Finished exports only: a draft is hidden, and an export has its manifest last."""
    named = (n for n in storage.folders(f"exports/{job_id}") if not n.startswith("."))
    prefixes = (f"exports/{job_id}/{name}" for name in named)
    return [(prefix, manifest) for prefix in prefixes if (manifest := found(storage, prefix))]


def locate(storage: Storage, job_or_export: str) -> str:
    """An export's key prefix, from its id or its job's id (the job's newest export)."""
    if mine := _exports_of(storage, job_or_export):
        return max(mine, key=lambda pair: (pair[1].created_at, pair[0]))[0]
    for job_id in storage.folders("exports"):
        for prefix, manifest in _exports_of(storage, job_id):
            if manifest.export_id == job_or_export:
                return prefix
    raise NoExport(f"no export or job {job_or_export!r} in {storage.url}")


@contextmanager
def export_folder(storage: Storage, job_or_export: str) -> Iterator[Path]:
    """The export's files in a local folder: a folder given by its path, the store's own
    folder on a file store, else a download."""
    if (Path(job_or_export) / MANIFEST).is_file():
        yield Path(job_or_export)
        return
    prefix = locate(storage, job_or_export)
    if storage.root:
        yield storage.root / prefix
        return
    with tempfile.TemporaryDirectory(prefix="push-") as folder:
        for key in storage.sizes(prefix):
            (Path(folder) / PurePosixPath(key).name).write_bytes(storage.get(key))
        yield Path(folder)


def push(
    folder: Path,
    repo_id: str,
    *,
    endpoint: str | None = None,
    token: str | None = None,
    private: bool = True,
) -> str:
    """Creates the dataset repository (private unless asked) if needed and commits the
    export's files; returns the commit's URL. The card's front matter tells the hub which
    files are the data. An existing repository keeps its visibility: the hub ignores ours."""
    manifest = Manifest.load(folder)
    api = HfApi(endpoint=endpoint, token=token)
    api.create_repo(repo_id, repo_type="dataset", private=private, exist_ok=True)
    commit = api.upload_folder(
        folder_path=folder,
        repo_id=repo_id,
        repo_type="dataset",
        commit_message=f"Data Factory job {manifest.job_id}, export {manifest.version}",
    )
    return str(commit.commit_url)
