"""The compose file, checked statically (no Docker engine runs here)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from shared.runtime.runtime import GRACEFUL_TIMEOUT_S
from shared.settings import Settings
from shared.storage.blobs import Storage

ROOT = Path(__file__).resolve().parents[1]
WORKERS = ("spider", "refiner", "factory", "inspector", "shipper")
# The services that keep blobs, and so hold the S3 keys.
BLOB_USERS = ("spider", "refiner", "shipper", "gateway")


def compose() -> dict[str, Any]:
    return dict(yaml.safe_load((ROOT / "docker-compose.yml").read_text()))


def seconds(value: str) -> float:
    match = re.fullmatch(r"(\d+)(s|m)", value)
    assert match, value
    return int(match.group(1)) * (60 if match.group(2) == "m" else 1)


def test_every_stage_is_a_scalable_service_of_one_image() -> None:
    services = compose()["services"]
    for name in (*WORKERS, "gateway"):
        service = services[name]
        assert service["command"][:3] == ["python", "-m", f"services.{name}"]
        assert service["image"] == "datafactory:local"
        assert "container_name" not in service
        assert service["restart"] == "unless-stopped"
        assert seconds(service["stop_grace_period"]) > GRACEFUL_TIMEOUT_S
    for name in WORKERS:
        assert "ports" not in services[name], f"{name} must scale without host port clashes"


def test_redis_keeps_the_log_with_aof_on_a_volume() -> None:
    spec = compose()
    redis = spec["services"]["redis"]
    assert redis["image"].startswith("redis:7")
    assert "--appendonly yes" in " ".join(redis["command"])
    assert any(v.endswith(":/data") for v in redis["volumes"])
    assert "redis-data" in spec["volumes"]


def test_dockerfile_installs_the_project_and_debian_chromium() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "chromium" in dockerfile and "pip install" in dockerfile


def test_redis_requires_a_password_that_every_service_uses() -> None:
    spec = compose()
    assert "requirepass" in " ".join(spec["services"]["redis"]["command"])
    for name in (*WORKERS, "gateway"):
        url = spec["services"][name]["environment"]["DATAFACTORY_REDIS_URL"]
        assert url.startswith("redis://:${REDIS_PASSWORD"), f"{name} connects without a password"


def test_blobs_stay_on_the_data_volume_unless_storage_is_set(tmp_path: Path) -> None:
    services = compose()["services"]
    for name in (*WORKERS, "gateway"):
        assert services[name]["environment"]["DATAFACTORY_STORAGE"] == "${DATAFACTORY_STORAGE:-}"
        assert "data:/app/data" in services[name]["volumes"]
    storage = Storage.from_settings(Settings(data_dir=tmp_path, storage=""))
    assert storage.root == tmp_path.resolve()


def test_the_s3_profile_runs_minio_with_the_stages_bucket_made_at_start() -> None:
    text = (ROOT / "docker-compose.yml").read_text()
    services = compose()["services"]
    minio, init = services["minio"], services["minio-init"]
    assert minio["profiles"] == init["profiles"] == ["s3"]
    assert minio["image"].startswith("minio/minio") and "minio-data:/data" in minio["volumes"]
    assert "ports" not in minio, "the gateway streams downloads; MinIO stays internal"
    assert init["depends_on"]["minio"]["condition"] == "service_healthy"
    made = re.search(r"mc mb --ignore-existing store/(\S+)", " ".join(init["entrypoint"]))
    assert made, "the init service creates the bucket"
    documented = re.search(r"DATAFACTORY_STORAGE=(s3://\S+)", text)
    assert documented and documented.group(1).startswith(f"s3://{made.group(1)}/")
    for name in (*WORKERS, "gateway"):
        optional = {"condition": "service_completed_successfully", "required": False}
        assert services[name]["depends_on"]["minio-init"] == optional, name
        assert "http://minio:9000" in services[name]["environment"]["DATAFACTORY_S3_ENDPOINT_URL"]
    for name in BLOB_USERS:
        env = services[name]["environment"]
        assert env["DATAFACTORY_S3_ACCESS_KEY_ID"] == minio["environment"]["MINIO_ROOT_USER"]
        secret = env["DATAFACTORY_S3_SECRET_ACCESS_KEY"]
        assert (
            secret
            == minio["environment"]["MINIO_ROOT_PASSWORD"]
            == init["environment"]["MINIO_ROOT_PASSWORD"]
        )
        assert "REDIS_PASSWORD" not in secret, "the S3 secret is its own"
    on_minio = Settings(storage=documented.group(1), s3_endpoint_url="http://minio:9000")
    assert Storage.from_settings(on_minio).root is None, "the URL makes an S3 store"
