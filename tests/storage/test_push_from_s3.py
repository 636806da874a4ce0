"""`datafactory push` finds and uploads an export that lives in S3, not on the local disk."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest

from services.cli import main
from services.cli.stack import settings_env
from services.shipper import columns, staging
from services.shipper.export import export
from services.shipper.facts import JobFacts
from services.shipper.manifest import ExportSpec
from shared.contract.config import ExportConfig, JobConfig
from shared.settings import Settings
from shared.storage.blobs import Storage
from tests.shipper.fake_hub import fake_hub
from tests.shipper.samples import AT, examples
from tests.storage.s3 import on_s3


def test_push_uploads_an_export_kept_in_s3(
    tmp_path: Path, s3_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = on_s3(Settings(data_dir=tmp_path), s3_endpoint)
    storage = Storage.from_settings(settings)
    staging.append(tmp_path, "j", "1-0", examples(20), 0.7)
    spec = ExportSpec("j", "export_s3", AT, JobConfig(export=ExportConfig(format="jsonl")))
    prefix, _ = export(storage, spec, columns.read(tmp_path, "j"), JobFacts())
    assert not (tmp_path / "exports").exists(), "the export lives in the bucket"
    for name, value in settings_env(settings).items():
        monkeypatch.setenv(name, value)
    with fake_hub() as hub:
        assert main(["push", "export_s3", "me/s3", "--endpoint", hub.url, "--token", "t"]) == 0
    (files,) = hub.commits
    stored = {PurePosixPath(key).name: storage.get(key) for key in storage.sizes(prefix)}
    assert files == stored and "manifest.json" in files
