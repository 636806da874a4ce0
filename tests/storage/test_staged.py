"""Staged examples in blob storage: any shipper replica exports what every replica staged."""

from __future__ import annotations

from pathlib import Path

from services.shipper import columns, staging
from shared.settings import Settings
from shared.storage.blobs import Storage
from tests.shipper.samples import examples
from tests.storage.s3 import on_s3


def replica(settings: Settings, data_dir: Path) -> Storage:
    """The storage of a replica on a machine of its own (its own local data directory)."""
    return Storage.from_settings(settings.model_copy(update={"data_dir": data_dir}))


def ids(storage: Storage) -> list[str]:
    base = staging.pulled(storage, "j")
    found = [i for table in columns.read(base, "j") for i in table["id"].to_pylist()]
    staging.pushed(storage, "j", base)
    return found


def test_a_replica_exports_what_others_staged_and_the_columns_replace_the_batches(
    tmp_path: Path, s3_endpoint: str
) -> None:
    settings = on_s3(Settings(data_dir=tmp_path / "a"), s3_endpoint)
    first, second = replica(settings, tmp_path / "a"), replica(settings, tmp_path / "b")
    items = examples(60)
    staging.put(first, "j", "1-0", items[:30], 0.7)
    staging.put(second, "j", "2-0", items[20:], 0.7)  # a redelivery staged 20..29 twice
    assert staging.any_staged(first, "j") and not staging.any_staged(first, "other")
    exported = ids(replica(settings, tmp_path / "c"))
    assert exported == sorted({s.example.event_id for s in items}) and len(exported) == 60
    assert list(first.sizes("staging/j")) == [f"staging/j/{staging.COLUMNS}"]
    assert ids(replica(settings, tmp_path / "d")) == exported, "a later export reads the columns"


def test_a_file_store_stages_in_its_own_folder(tmp_path: Path) -> None:
    storage = Storage.from_settings(Settings(data_dir=tmp_path))
    staging.put(storage, "j", "1-0", examples(5), 0.7)
    assert staging.pulled(storage, "j") == tmp_path.resolve()
    assert [p.name for p in staging.folder(tmp_path, "j").iterdir()] == ["1-0.jsonl"]
