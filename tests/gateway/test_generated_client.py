"""A client generated from /openapi.json by openapi-python-client, as the README shows, runs a
job against a real stack: it submits the job, polls it to completion and downloads the export."""

from __future__ import annotations

import importlib
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from ipaddress import ip_network
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.cli.stack import Stack
from shared.settings import Settings

JOB_DEADLINE_S = 240
PAGES = 3


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def gateway(tmp_path: Path) -> Iterator[str]:
    settings = Settings(
        data_dir=tmp_path / "data",
        redis_url=None,
        gateway_port=_free_port(),
        llm_api_base=None,
        allowed_networks=[ip_network("127.0.0.0/8")],
    )
    stack = Stack(settings).start()
    try:
        yield stack.gateway_url
    finally:
        stack.stop()


def generated_client(gateway: str, folder: Path) -> Any:
    """The package openapi-python-client writes from the gateway's schema, imported."""
    schema = folder / "openapi.json"
    schema.write_bytes(httpx.get(f"{gateway}/openapi.json").raise_for_status().content)
    tool = Path(sys.executable).with_name("openapi-python-client")
    command = [str(tool), "generate", f"--path={schema}", "--meta=none"]
    command += ["--output-path", str(folder / "df_client")]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=folder)
    assert (folder / "df_client" / "client.py").is_file(), done.stdout + done.stderr
    sys.path.insert(0, str(folder))
    return importlib.import_module("df_client")


# A stack, then the generator with its own 120 s limit.
@pytest.mark.timeout(240)
def test_a_generated_client_submits_polls_and_downloads(
    gateway: str, tmp_path: Path, corpus_server: str, corpus_manifest: list[dict[str, Any]]
) -> None:
    df = generated_client(gateway, tmp_path)
    api = importlib.import_module("df_client.api.default")
    models = importlib.import_module("df_client.models")
    client = df.Client(base_url=gateway, raise_on_unexpected_status=True, timeout=httpx.Timeout(30))

    create = importlib.import_module(f"{api.__name__}.create_project_api_projects_post")
    project = create.sync(client=client, body=models.ProjectIn(name="generated client"))
    urls = [f"{corpus_server}/{page['file']}" for page in corpus_manifest[:PAGES]]
    submit = importlib.import_module(f"{api.__name__}.submit_job_api_projects_project_id_jobs_post")
    accepted = submit.sync(project.id, client=client, body=models.JobRequest(urls=urls))
    assert isinstance(accepted, models.JobAccepted), accepted

    get_job = importlib.import_module(f"{api.__name__}.get_job_api_jobs_job_id_get")
    deadline = time.monotonic() + JOB_DEADLINE_S
    job = get_job.sync(accepted.job_id, client=client)
    # The shipper writes the export once the job has completed.
    while not (job.finished and job.exports) and time.monotonic() < deadline:
        time.sleep(0.5)
        job = get_job.sync(accepted.job_id, client=client)
    assert job.status == "completed", job
    assert job.exports, "a completed job has its export"

    download = importlib.import_module(
        f"{api.__name__}.download_export_api_exports_export_id_download_get"
    )
    data = download.sync_detailed(job.exports[0].id, client=client)
    assert data.status_code == 200 and data.content.count(b"\n") == job.exports[0].record_count

    missing = get_job.sync("job_none", client=client)
    assert isinstance(missing, models.Problem) and missing.status == 404
