"""The Kubernetes manifests, checked offline: core kinds against the Kubernetes schemas that
kubernetes-validate ships, ScaledObjects against our schema of KEDA's documented fields, and
the properties the deployment relies on (probes, grace, non-root, one gateway)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml
from kubernetes_validate.utils import latest_version

from shared.contract import streams
from shared.runtime.runtime import GRACEFUL_TIMEOUT_S
from shared.settings import Settings

# Rendering and validating the manifests runs tools with a 60 s limit.
pytestmark = pytest.mark.timeout(120)

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
KEDA_SCHEMA = json.loads((Path(__file__).parent / "keda_scaledobject.schema.json").read_text())

Doc = dict[str, Any]
KUBECTL = shutil.which("kubectl")


def resources(examples: bool = True) -> list[Doc]:
    """What the kustomization applies, and the example Secret it leaves to the operator."""
    names = yaml.safe_load((K8S / "kustomization.yaml").read_text())["resources"]
    if examples:
        names += [p.name for p in K8S.glob("*.example.yaml")]
    return [doc for name in names for doc in yaml.safe_load_all((K8S / name).read_text()) if doc]


def of_kind(kind: str) -> dict[str, Doc]:
    return {doc["metadata"]["name"]: doc for doc in resources() if doc["kind"] == kind}


def workloads() -> Iterator[tuple[str, Doc]]:
    for kind in ("Deployment", "StatefulSet"):
        for name, doc in of_kind(kind).items():
            yield name, doc["spec"]["template"]["spec"]


def env(container: Doc) -> dict[str, str]:
    return {item["name"]: item.get("value", "") for item in container.get("env", [])}


def test_the_kustomization_lists_every_manifest_in_the_folder() -> None:
    listed = set(yaml.safe_load((K8S / "kustomization.yaml").read_text())["resources"])
    examples = {p.name for p in K8S.glob("*.example.yaml")}
    assert listed == {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml"} - examples
    assert "Secret" not in {d["kind"] for d in resources(examples=False)}, "apply keeps real keys"


@pytest.mark.parametrize(
    "doc",
    [d for d in resources() if d["apiVersion"] != "keda.sh/v1alpha1"],
    ids=lambda d: f"{d['kind']}/{d['metadata']['name']}",
)
def test_core_kinds_validate_against_the_kubernetes_schemas(doc: Doc) -> None:
    kubernetes_validate.validate(doc, latest_version(), strict=True)


def test_scaled_objects_validate_against_kedas_documented_fields() -> None:
    validator = jsonschema.Draft202012Validator(KEDA_SCHEMA)
    for name, scaled in of_kind("ScaledObject").items():
        errors = [e.message for e in validator.iter_errors(scaled)]
        assert not errors, f"{name}: {errors}"


def test_the_keda_schema_rejects_misspelt_or_incomplete_triggers() -> None:
    scaled = of_kind("ScaledObject")["refiner"]
    trigger = scaled["spec"]["triggers"][0]["metadata"]
    typo = {**trigger, "lagCont": trigger["lagCount"]}
    no_activation = {k: v for k, v in trigger.items() if k != "activationLagCount"}
    validator = jsonschema.Draft202012Validator(KEDA_SCHEMA)
    for metadata in (typo, no_activation, {**trigger, "lagCount": 5}):
        broken = {
            **scaled,
            "spec": {
                **scaled["spec"],
                "triggers": [{"type": "redis-streams", "metadata": metadata}],
            },
        }
        assert list(validator.iter_errors(broken)), metadata


def test_every_stage_scales_on_its_groups_lag_and_the_spider_least() -> None:
    scaled = of_kind("ScaledObject")
    deployments = of_kind("Deployment")
    assert set(scaled) == set(streams.STAGES)
    for stage, obj in scaled.items():
        spec = obj["spec"]
        assert spec["scaleTargetRef"]["name"] == stage and stage in deployments
        [trigger] = spec["triggers"]
        meta = trigger["metadata"]
        assert trigger["type"] == "redis-streams" and "lagCount" in meta
        assert (meta["stream"], meta["consumerGroup"]) == (streams.STAGE_STREAM[stage], stage)
        assert 1 <= spec["minReplicaCount"] <= spec["maxReplicaCount"]
        container = deployments[stage]["spec"]["template"]["spec"]["containers"][0]
        sources = {
            ref.get("configMapRef", ref.get("secretRef", {}))["name"]
            for ref in container["envFrom"]
        }
        assert {"datafactory-config", "datafactory-redis"} <= sources, (
            "KEDA reads the address and password there"
        )
    spider = scaled["spider"]["spec"]["maxReplicaCount"]
    assert spider <= 2 and all(spider <= s["spec"]["maxReplicaCount"] for s in scaled.values())


def test_every_process_has_liveness_and_readiness_probes() -> None:
    for name, pod in workloads():
        for container in pod["containers"]:
            assert "livenessProbe" in container and "readinessProbe" in container, name


def test_stage_probes_check_the_heartbeat_files_their_runtime_writes() -> None:
    for stage in streams.STAGES:
        [container] = of_kind("Deployment")[stage]["spec"]["template"]["spec"]["containers"]
        beat = env(container)["DATAFACTORY_HEARTBEAT_DIR"]
        for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
            command = container[probe]["exec"]["command"]
            assert command[:3] == ["python", "-m", "shared.runtime.probe"], (stage, probe)
            assert Path(command[3]).parent == Path(beat), (stage, probe)


def test_a_stopping_stage_gets_longer_than_its_handlers_time_limit() -> None:
    for stage in streams.STAGES:
        pod = of_kind("Deployment")[stage]["spec"]["template"]["spec"]
        limit = Settings.model_validate(
            {"handler_time_limit_s": env(pod["containers"][0])["DATAFACTORY_HANDLER_TIME_LIMIT_S"]}
        ).handler_time_limit_s
        grace = pod["terminationGracePeriodSeconds"]
        assert grace > limit and grace > 2 * GRACEFUL_TIMEOUT_S, stage


def test_every_process_runs_non_root_on_a_read_only_root_with_a_tmp_volume() -> None:
    for name, pod in workloads():
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        assert pod["securityContext"]["runAsUser"] != 0, name
        for container in pod["containers"]:
            security = container["securityContext"]
            assert security["readOnlyRootFilesystem"] is True, name
            assert security["allowPrivilegeEscalation"] is False, name
            assert security["capabilities"]["drop"] == ["ALL"], name
            assert "/tmp" in {m["mountPath"] for m in container["volumeMounts"]}, name


def test_one_gateway_keeps_sqlite_on_a_persistent_volume() -> None:
    gateway = of_kind("Deployment")["gateway"]["spec"]
    assert gateway["replicas"] == 1 and gateway["strategy"]["type"] == "Recreate"
    assert "gateway" not in of_kind("ScaledObject")
    pod = gateway["template"]["spec"]
    [container] = pod["containers"]
    database = Settings(database_url=env(container)["DATAFACTORY_DATABASE_URL"]).sqlite_url
    claims = {
        v["name"]: v["persistentVolumeClaim"]["claimName"]
        for v in pod["volumes"]
        if "persistentVolumeClaim" in v
    }
    mounted = {m["mountPath"]: claims.get(m["name"]) for m in container["volumeMounts"]}
    folder = str(Path(database.split("///", 1)[1]).parent)
    assert mounted[folder] in of_kind("PersistentVolumeClaim"), "SQLite is on a claim"
    hosts = env(container)["DATAFACTORY_ALLOWED_HOSTS"].split(",")
    assert "$(POD_IP)" in hosts, "kubelet's probes and Prometheus send the pod's IP as Host"
    assert "DATAFACTORY_API_TOKEN" in of_kind("Secret")["datafactory-gateway"]["stringData"]


def test_every_setting_the_manifests_set_is_one_the_processes_read() -> None:
    config = of_kind("ConfigMap")["datafactory-config"]["data"]
    names = set(config)
    for secret in of_kind("Secret").values():
        names |= set(secret["stringData"])
    for _, pod in workloads():
        for container in pod["containers"]:
            names |= set(env(container))
    fields = {f"DATAFACTORY_{name.upper()}" for name in Settings.model_fields}
    unknown = {n for n in names if n.startswith("DATAFACTORY_")} - fields
    assert not unknown, f"no such settings: {unknown}"


def test_no_manifest_repeats_a_key() -> None:
    """YAML keeps the last of two equal keys in silence; a repeated one is a mistake."""

    class Strict(yaml.SafeLoader):
        pass

    def mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[Any, Any]:
        keys = [loader.construct_object(key) for key, _ in node.value]
        repeated = {k for k in keys if keys.count(k) > 1}
        assert not repeated, f"line {node.start_mark.line + 1}: {repeated}"
        return loader.construct_mapping(node)

    Strict.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, mapping)
    for path in K8S.glob("*.yaml"):
        list(yaml.load_all(path.read_text(), Loader=Strict))


@pytest.mark.skipif(KUBECTL is None, reason="needs kubectl, whose kustomize builds overlays")
def test_the_readmes_overlay_builds_on_the_base_and_sets_images_and_bounds(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text()
    overlay = re.search(r"```yaml\n# my-overlay/kustomization.yaml\n(.*?)```", readme, re.S)
    assert overlay, "the README shows an overlay"
    shutil.copytree(K8S, tmp_path / "deploy" / "k8s")
    (tmp_path / "my-overlay").mkdir()
    (tmp_path / "my-overlay" / "kustomization.yaml").write_text(overlay.group(1))
    built = subprocess.run(
        [str(KUBECTL), "kustomize", str(tmp_path / "my-overlay")],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    docs = [doc for doc in yaml.safe_load_all(built) if doc]
    assert len(docs) == len(resources(examples=False))
    assert all(
        d["metadata"].get("namespace") == "datafactory" for d in docs if d["kind"] != "Namespace"
    )
    images = {
        d["metadata"]["name"]: d["spec"]["template"]["spec"]["containers"][0]["image"]
        for d in docs
        if d["kind"] == "Deployment"
    }
    assert images.pop("spider") == "registry.example/datafactory:1.0"
    assert set(images.values()) == {"registry.example/datafactory-slim:1.0"}
    refiner = next(
        d for d in docs if d["kind"] == "ScaledObject" and d["metadata"]["name"] == "refiner"
    )
    assert refiner["spec"]["maxReplicaCount"] == 16
    assert not list(jsonschema.Draft202012Validator(KEDA_SCHEMA).iter_errors(refiner))
