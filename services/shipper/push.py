"""Uploads an export folder to a dataset repository on a Hugging Face hub (`datafactory push`)."""

from __future__ import annotations

from pathlib import Path

from huggingface_hub import HfApi

from services.shipper.manifest import MANIFEST, Manifest


class NoExport(LookupError):
    pass


def _exports_of(folder: Path) -> list[Path]:
    """Finished exports only: a folder still being written is hidden and has no manifest yet."""
    if not folder.is_dir():
        return []
    found = (p for p in folder.iterdir() if not p.name.startswith("."))
    return [p for p in found if (p / MANIFEST).is_file()]


def locate(data_dir: Path, job_or_export: str) -> Path:
    """An export's folder, from its path, its id, or its job's id (the job's newest export)."""
    given = Path(job_or_export)
    if (given / MANIFEST).is_file():
        return given
    exports = data_dir / "exports"
    if mine := _exports_of(exports / job_or_export):
        return max(mine, key=lambda p: (Manifest.load(p).created_at, p.name))
    for job in exports.iterdir() if exports.is_dir() else ():
        for folder in _exports_of(job):
            if Manifest.load(folder).export_id == job_or_export:
                return folder
    raise NoExport(f"no export or job {job_or_export!r} under {exports}")


def push(
    folder: Path,
    repo_id: str,
    *,
    endpoint: str | None = None,
    token: str | None = None,
    private: bool = False,
) -> str:
    """Creates the dataset repository if needed and commits the export's files; returns the
    commit's URL. The card's front matter tells the hub which files are the data."""
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
