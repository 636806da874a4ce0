"""The OpenAPI schema names every response model, and schemathesis finds no server error."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.routing import APIRoute

from services.gateway.app import create_app
from shared.settings import Settings
from tests.gateway.process import gateway_process

# The run's budget: schemathesis stops generating after this many seconds.
FUZZ_S = 30
MODELS = (
    "CostStats",
    "SubmissionEstimate",
    "ProjectOut",
    "ProjectDeletedOut",
    "JobDetail",
    "JobStatus",
    "JobError",
    "LogEntry",
    "Overview",
    "Health",
)


def test_every_route_documents_its_response_model(settings: Settings) -> None:
    app = create_app(settings, dashboard=False)
    schema = app.openapi()
    assert set(MODELS) <= set(schema["components"]["schemas"])
    for route in app.routes:
        if not isinstance(route, APIRoute) or not route.include_in_schema:
            continue
        for method in route.methods - {"HEAD"}:
            responses = schema["paths"][route.path_format][method.lower()]["responses"]
            ok = next(r for code, r in responses.items() if code.startswith("2"))
            bodies = ok.get("content", {})
            assert bodies, f"{method} {route.path} documents no response body"
            # A JSON body names its model; `{}` would be a dict the schema says nothing of.
            assert all(body.get("schema") for body in bodies.values() if body is not None) or (
                "text/event-stream" in bodies
            ), f"{method} {route.path}: {bodies}"


@pytest.fixture
def gateway(settings: Settings, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    with gateway_process(settings, tmp_path) as served:
        yield served


def test_schemathesis_finds_no_server_error(gateway: tuple[str, Path], tmp_path: Path) -> None:
    url, log = gateway
    report = tmp_path / "report.json"
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "run",
        f"{url}/openapi.json",
        "--checks=not_a_server_error",
        "--max-examples=5",
        "--seed=1",
        f"--max-time={FUZZ_S}",
        "--phases=coverage,fuzzing,stateful",
        f"--report-json-path={report}",
    ]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=FUZZ_S + 60, cwd=tmp_path
    )
    found = json.loads(report.read_text())
    assert found["failures"] == [] and found["test_cases"]["with_failures"] == 0, done.stdout[
        -4000:
    ]
    assert found["test_cases"]["generated"] > 200, "the run tested too little to mean anything"
    # A request its HTTP parser refuses never reaches the app; an exception in the app would.
    assert "Exception in ASGI application" not in log.read_text()
