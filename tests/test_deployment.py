"""The compose file, checked statically (no Docker engine runs here)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from shared.runtime import GRACEFUL_TIMEOUT_S

ROOT = Path(__file__).resolve().parents[1]
WORKERS = ("spider", "refiner", "factory", "inspector", "shipper")


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
        assert service["image"] == "datafactory:latest"
        assert "container_name" not in service
        assert service["restart"] == "unless-stopped"
        assert seconds(service["stop_grace_period"]) > GRACEFUL_TIMEOUT_S
    for name in WORKERS:
        assert "ports" not in services[name], f"{name} must scale without host port clashes"


def test_redis_keeps_the_log_with_aof_on_a_volume() -> None:
    spec = compose()
    redis = spec["services"]["redis"]
    assert redis["image"].startswith("redis:7")
    assert "--appendonly" in redis["command"] and "yes" in redis["command"]
    assert any(v.endswith(":/data") for v in redis["volumes"])
    assert "redis-data" in spec["volumes"]


def test_dockerfile_installs_the_project_and_debian_chromium() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "chromium" in dockerfile and "pip install" in dockerfile


def test_redis_requires_a_password_that_every_service_uses() -> None:
    spec = compose()
    assert "--requirepass" in spec["services"]["redis"]["command"]
    for name in (*WORKERS, "gateway"):
        url = spec["services"][name]["environment"]["DATAFACTORY_REDIS_URL"]
        assert url.startswith("redis://:${REDIS_PASSWORD"), f"{name} connects without a password"
