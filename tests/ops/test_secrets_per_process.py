"""Each process gets only the secrets it uses, in compose and on Kubernetes; images are pinned;
the Redis password never reaches an argv; pods mount no service-account token; and the
NetworkPolicy keeps each stage to Redis, the object store and (some) the LLM."""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
import redis

from shared.runtime.redis_server import free_port
from tests.ops.test_manifests import ROOT, of_kind, resources, workloads
from tests.test_deployment import compose

SECRET_VARS = {
    "llm": {"OPENAI_API_KEY", "DATAFACTORY_LLM_API_KEY"},
    "s3": {"DATAFACTORY_S3_ACCESS_KEY_ID", "DATAFACTORY_S3_SECRET_ACCESS_KEY"},
    "gateway": {"DATAFACTORY_API_TOKEN", "DATAFACTORY_METRICS_TOKEN"},
}
# What each process uses: the LLM (factory, inspector's judge), blobs, the API's tokens.
USES = {
    "spider": {"s3"},
    "refiner": {"s3"},
    "factory": {"llm"},
    "inspector": {"llm"},
    "shipper": {"s3"},
    "gateway": {"s3", "gateway"},
}
PRIVATE = {"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16", "127.0.0.0/8"}
PASSWORD = "pw-0123456789abcdef"


def kinds_in(names: set[str]) -> set[str]:
    return {kind for kind, known in SECRET_VARS.items() if names & known}


def test_compose_gives_each_service_only_the_secrets_it_uses() -> None:
    services = compose()["services"]
    for name, uses in USES.items():
        assert kinds_in(set(services[name]["environment"])) == uses, name
    assert "DATAFACTORY_CHROMIUM_NO_SANDBOX" in services["spider"]["environment"]


def test_kubernetes_gives_each_workload_only_the_secrets_it_uses() -> None:
    secrets = {name: set(doc["stringData"]) for name, doc in of_kind("Secret").items()}
    assert secrets["datafactory-redis"] == {"REDIS_PASSWORD"}, "nothing shares Redis's secret"
    for name, uses in USES.items():
        [container] = of_kind("Deployment")[name]["spec"]["template"]["spec"]["containers"]
        given: set[str] = set()
        for source in container["envFrom"]:
            given |= secrets.get(source.get("secretRef", {}).get("name", ""), set())
        assert kinds_in(given) == uses, name


def test_no_pod_mounts_a_service_account_token() -> None:
    for name, pod in workloads():
        assert pod["automountServiceAccountToken"] is False, name


def test_every_image_from_elsewhere_is_pinned_to_a_release() -> None:
    images = [s["image"] for s in compose()["services"].values() if "image" in s]
    for _, pod in workloads():
        images += [c["image"] for c in pod["containers"]]
    ours = {"datafactory", "datafactory-slim", "datafactory:local"}
    for image in set(images) - ours:
        assert re.search(r":(\d+\.\d+\.\d+|RELEASE\.[\dT-]+Z)(-\w+)?$", image), image


def test_the_spiders_seccomp_profile_allows_namespaces_and_denies_the_dangerous_calls() -> None:
    spider = compose()["services"]["spider"]
    [profile] = [o.split("=", 1)[1] for o in spider["security_opt"] if o.startswith("seccomp=")]
    assert "deploy/seccomp/chromium.json" in profile
    rules = json.loads((ROOT / "deploy" / "seccomp" / "chromium.json").read_text())
    denied = {n for rule in rules["syscalls"] for n in rule["names"]}
    assert {"keyctl", "bpf", "ptrace", "mount", "kexec_load", "open_by_handle_at"} <= denied
    assert not {"clone", "unshare", "chroot", "seccomp"} & denied, "Chromium's sandbox needs them"


def policies_of(component: str) -> list[dict[str, Any]]:
    """The NetworkPolicies that select the component's pods."""
    found = []
    for doc in resources():
        if doc["kind"] != "NetworkPolicy":
            continue
        selector = doc["spec"]["podSelector"]
        labels = selector.get("matchLabels", {})
        values = [v for e in selector.get("matchExpressions", []) for v in e["values"]]
        named = labels.get("app.kubernetes.io/component")
        if (not labels and not values) or named == component or component in values:
            found.append(doc["spec"])
    return found


def test_only_the_spider_and_the_llm_callers_leave_the_cluster_and_none_for_private_ranges() -> (
    None
):
    assert any(
        p == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]} for p in policies_of("x")
    )
    for component in USES:
        blocks = [
            peer["ipBlock"]
            for policy in policies_of(component)
            for rule in policy.get("egress", [])
            for peer in rule.get("to", [])
            if "ipBlock" in peer
        ]
        leaves = component in ("spider", "factory", "inspector")
        assert bool(blocks) is leaves, component
        v4 = [b for b in blocks if b["cidr"] == "0.0.0.0/0"]
        assert all(set(b["except"]) >= PRIVATE for b in v4), component


def redis_commands() -> list[str]:
    """The shell commands compose and Kubernetes start Redis with, as a shell gets them."""
    composed = compose()["services"]["redis"]["command"][2].replace("$$", "$")
    [pod] = [p for name, p in workloads() if name == "datafactory-redis"]
    return [composed, pod["containers"][0]["command"][2]]


@pytest.mark.parametrize("command", redis_commands(), ids=["compose", "kubernetes"])
def test_redis_takes_its_password_from_the_environment_never_its_argv(
    command: str, tmp_path: Path
) -> None:
    port = free_port()
    line = command.replace("--dir /data", "") + f" --port {port} --bind 127.0.0.1"
    env = {"PATH": os.environ["PATH"], "REDIS_PASSWORD": PASSWORD}
    proc = subprocess.Popen(["sh", "-c", line], env=env, cwd=tmp_path)
    client = redis.Redis(port=port, password=PASSWORD, socket_connect_timeout=1)
    try:
        _wait_for_ping(client)
        with pytest.raises(redis.AuthenticationError):
            redis.Redis(port=port).ping()
        assert not [a for a in argvs() if PASSWORD.encode() in a], "the password is in an argv"
    finally:
        client.shutdown(nosave=True)
        proc.wait(timeout=10)


def argvs() -> list[bytes]:
    """Every process's command line, as `ps` shows them to any user of the machine."""
    found = []
    for path in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            found.append(path.read_bytes())
        except OSError:  # the process ended meanwhile
            continue
    return found


def _wait_for_ping(client: redis.Redis, timeout_s: float = 10) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            client.ping()
            return
        except redis.ConnectionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
