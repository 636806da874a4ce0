"""`datafactory push` uploads an export with huggingface_hub; a local hub records the requests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from services.cli import main
from services.shipper.manifest import Manifest
from services.shipper.push import export_folder, locate
from shared.settings import Settings
from shared.storage.blobs import Storage
from tests.shipper.fake_hub import fake_hub
from tests.shipper.samples import AT, write


def test_push_uploads_the_jobs_newest_export_as_a_dataset_repository(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write(data_dir, "csv")
    newest = write(data_dir, "parquet", export_id="export_new", at=AT.replace(hour=10))
    monkeypatch.setenv("DATAFACTORY_DATA_DIR", str(data_dir))
    with fake_hub() as hub:
        code = main(["push", "j", "me/web-qa", "--endpoint", hub.url, "--token", "hf_test"])
    assert code == 0
    (repo,) = hub.repos
    assert (repo["organization"], repo["name"], repo["type"]) == ("me", "web-qa", "dataset")
    assert repo["visibility"] == "private", "a repository is private unless asked"
    assert {auth for _, _, auth in hub.requests} == {"Bearer hf_test"}
    (files,) = hub.commits
    expected = {f.name for f in Manifest.load(newest).files} | {"manifest.json"}
    assert set(files) == expected
    assert all(files[name] == (newest / name).read_bytes() for name in files)
    assert hub.validated == [(newest / "README.md").read_text()]
    assert capsys.readouterr().out.strip().endswith("/datasets/me/web-qa/commit/" + "0" * 40)


def test_an_export_is_found_by_its_id_or_folder_and_an_unknown_one_is_refused(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    older = write(data_dir, "json", export_id="export_old")
    write(data_dir, "json", export_id="export_new", at=AT.replace(hour=10))
    storage = Storage.from_settings(Settings(data_dir=data_dir))
    assert data_dir / locate(storage, "export_old") == older
    with export_folder(storage, str(older)) as given, export_folder(storage, "export_old") as found:
        assert given == found == older
    monkeypatch.setenv("DATAFACTORY_DATA_DIR", str(data_dir))
    assert main(["push", "job_unknown", "me/x", "--endpoint", "http://127.0.0.1:9"]) == 2


def test_push_makes_a_public_repository_only_when_asked(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(data_dir, "csv")
    monkeypatch.setenv("DATAFACTORY_DATA_DIR", str(data_dir))
    with fake_hub() as hub:
        assert main(["push", "j", "me/open", "--endpoint", hub.url, "--public"]) == 0
    assert [repo["visibility"] for repo in hub.repos] == ["public"]


def test_push_json_names_the_export_repository_and_commit(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write(data_dir, "csv")
    monkeypatch.setenv("DATAFACTORY_DATA_DIR", str(data_dir))
    with fake_hub() as hub:
        assert main(["push", "j", "me/web-qa", "--endpoint", hub.url, "--json"]) == 0
    pushed = json.loads(capsys.readouterr().out)
    assert pushed["repo_id"] == "me/web-qa" and pushed["private"] is True
    assert pushed["url"].endswith("/datasets/me/web-qa/commit/" + "0" * 40)
