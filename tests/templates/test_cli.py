"""The CLI's job and template files: validated with the API's models (errors name the field),
and a YAML job file submits the same job config as the API given the same JSON."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
import uvicorn
import yaml

from services.cli.jobfile import JobFileError, load_job, load_template
from services.gateway.app import create_app
from shared.contract.config import JobConfig
from shared.contract.streams import job_config_key
from shared.runtime.redis_server import free_port
from shared.settings import Settings
from tests.templates.samples import claims

# The CLI in a subprocess, with a 120 s limit.
pytestmark = pytest.mark.timeout(180)

JOB = {
    "urls": ["https://example.com/a", "https://example.com/b"],
    "config": {
        "processing": {"chunk_size": 256, "languages": ["en"]},
        "generation": {
            "template": "conversation",
            "examples_per_chunk": 2,
            "template_params": {"turns": 4, "persona": "A patient beekeeper."},
        },
        "quality": {"min_score": 0.6, "checks": ["format", "groundedness"]},
        "export": {"format": "sharegpt", "splits": {"train": 0.9, "test": 0.1}},
    },
}


@contextmanager
def gateway(settings: Settings) -> Iterator[str]:
    port = free_port()
    app = create_app(settings, dashboard=False)
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    )
    thread = threading.Thread(target=server.run, name=f"gateway-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the gateway did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def cli(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = os.environ | {"DATAFACTORY_DATA_DIR": str(data_dir)}
    command = [sys.executable, "-m", "services.cli", *args]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)


def stored_config(redis_url: str, job_id: str) -> JobConfig:
    raw = redis.Redis.from_url(redis_url).get(job_config_key(job_id))
    assert raw is not None
    return JobConfig.model_validate_json(raw)


def test_a_yaml_job_file_submits_the_same_config_as_the_api(
    settings: Settings, tmp_path: Path
) -> None:
    job_file = tmp_path / "job.yaml"
    job_file.write_text(yaml.safe_dump(JOB))
    with gateway(settings) as url:
        done = cli(
            "run", "--config", str(job_file), "--gateway", url, "--detach", data_dir=tmp_path
        )
        assert done.returncode == 0, done.stderr
        from_cli = done.stdout.strip()
        project = httpx.post(f"{url}/api/projects", json={"name": "api"}).json()["id"]
        from_api = httpx.post(f"{url}/api/projects/{project}/jobs", json=JOB).json()
    assert stored_config(settings.redis_url or "", from_cli) == stored_config(
        settings.redis_url or "", from_api["job_id"]
    )
    assert from_api["config"]["generation"]["template_params"]["turns"] == 4


def test_templates_are_added_listed_and_shown_from_the_cli(
    settings: Settings, tmp_path: Path
) -> None:
    spec_file = tmp_path / "claims.yaml"
    spec_file.write_text(yaml.safe_dump(claims()))
    with gateway(settings) as url:
        first = cli("templates", "--gateway", url, "add", str(spec_file), data_dir=tmp_path)
        second = cli("templates", "--gateway", url, "add", str(spec_file), data_dir=tmp_path)
        listed = cli("templates", "--gateway", url, "list", data_dir=tmp_path)
        shown = cli("templates", "--gateway", url, "show", "claims@1", data_dir=tmp_path)
    assert "saved claims@1" in first.stderr and "saved claims@2" in second.stderr
    assert "claims" in listed.stdout and "conversation" in listed.stdout
    assert json.loads(shown.stdout)["spec"]["version"] == 1


def test_a_one_off_template_file_goes_into_the_job(settings: Settings, tmp_path: Path) -> None:
    spec_file = tmp_path / "claims.json"
    spec_file.write_text(json.dumps(claims()))
    with gateway(settings) as url:
        args = ["run", "https://example.com/a", "--template-file", str(spec_file)]
        done = cli(*args, "--gateway", url, "--detach", data_dir=tmp_path)
    assert done.returncode == 0, done.stderr
    generation = stored_config(settings.redis_url or "", done.stdout.strip()).generation
    assert generation.template == "claims" and generation.template_spec is not None


BAD_JOBS: dict[str, tuple[str, str]] = {
    "out_of_range": ("generation:\n  examples_per_chunk: 99\n", "generation.examples_per_chunk"),
    "unknown_key": ("generation:\n  tempalte: qa\n", "generation.tempalte"),
    "wrong_type": ("urls: [a]\nconfig:\n  export: {format: docx}\n", "export.format"),
    "not_yaml": ("generation: [unclosed\n", "not valid YAML"),
    "not_a_mapping": ("- a\n- b\n", "a mapping"),
}


@pytest.mark.parametrize(("text", "named"), BAD_JOBS.values(), ids=BAD_JOBS.keys())
def test_a_bad_job_file_gets_an_error_naming_the_field(
    tmp_path: Path, text: str, named: str
) -> None:
    path = tmp_path / "job.yaml"
    path.write_text(text)
    with pytest.raises(JobFileError, match=named) as caught:
        load_job(path)
    assert str(path) in str(caught.value)


def test_a_bad_template_file_gets_an_error_naming_the_field(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    bad: dict[str, Any] = claims(mapping={"input": "claim"})
    path.write_text(yaml.safe_dump(bad))
    with pytest.raises(JobFileError, match=r"mapping\.output: Field required"):
        load_template(path)
    path.write_text(yaml.safe_dump(claims(user="{{ ''.__class__ }}")))
    with pytest.raises(JobFileError, match="'__class__'"):
        load_template(path)


def test_the_cli_refuses_a_bad_job_file_before_submitting(tmp_path: Path) -> None:
    path = tmp_path / "job.json"
    path.write_text('{"generation": {"examples_per_chunk": 0}}')
    done = cli("run", "--config", str(path), "https://example.com/a", data_dir=tmp_path)
    assert done.returncode == 2
    assert "generation.examples_per_chunk" in done.stderr
