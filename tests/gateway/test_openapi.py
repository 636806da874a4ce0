"""The OpenAPI schema says what the gateway does: every status a route answers, one problem
body for every error, and schemathesis with every check finds no failure."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from services.gateway.app import create_app
from shared.settings import Settings
from tests.gateway.process import gateway_process

# The run's budget: schemathesis stops generating after this many seconds.
FUZZ_S = 60
SEED = 1
CONFIG = Path(__file__).with_name("schemathesis.toml")
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
    "Problem",
)
PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}


def test_every_operation_documents_its_bodies_and_errors(settings: Settings) -> None:
    schema = create_app(settings, dashboard=False).openapi()
    assert set(MODELS) <= set(schema["components"]["schemas"])
    assert "HTTPValidationError" not in schema["components"]["schemas"]
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            ok = next(r for code, r in responses.items() if code.startswith("2"))
            bodies = ok.get("content", {})
            assert bodies, f"{method} {path} documents no response body"
            # A JSON body names its model; `{}` would be a dict the schema says nothing of.
            assert all(body.get("schema") for body in bodies.values()) or (
                "text/event-stream" in bodies
            ), f"{method} {path}: {bodies}"
            errors = {code: r for code, r in responses.items() if code[0] in "45"}
            assert {"400", "401", "503"} <= set(errors), f"{method} {path}: {sorted(errors)}"
            if "{" in path:
                assert "404" in errors, f"{method} {path} never answers 404?"
            for code, error in errors.items():
                if (path, code) != ("/health", "503"):
                    assert error["content"] == PROBLEM, f"{method} {path} {code}"


def test_review_bodies_are_one_of_the_actions(settings: Settings) -> None:
    review = create_app(settings, dashboard=False).openapi()["components"]["schemas"]
    keeps, edits = review["ReviewRequest"]["oneOf"]
    assert keeps["properties"]["action"]["enum"] == ["approve", "reject"]
    assert edits["properties"]["action"]["const"] == "edit" and len(edits["anyOf"]) == 2


@pytest.fixture
def gateway(settings: Settings, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    with gateway_process(settings, tmp_path) as served:
        yield served


def test_errors_are_problem_details(gateway: tuple[str, Path]) -> None:
    url, _ = gateway
    with httpx.Client(base_url=url) as http:
        missing = http.get("/api/jobs/job_none")
        invalid = http.post("/api/projects", json={"name": ""})
        undeclared = http.request("TRACE", "/api/projects")
        unknown = http.get("/api/no-such-thing")
        foreign = http.get("/health", headers={"Host": "evil.example"})
    for response, status in ((missing, 404), (invalid, 422), (undeclared, 405), (unknown, 404)):
        assert response.status_code == status
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["status"] == status and response.json()["title"]
    assert foreign.status_code == 400 and foreign.json()["detail"] == "Invalid host header"
    assert invalid.json()["field"] == "body.name" and invalid.json()["errors"][0]["loc"]
    assert undeclared.headers["allow"] == "GET, HEAD, POST"


# Every operation with generated cases: near a minute locally.
@pytest.mark.timeout(300)
def test_schemathesis_finds_no_failure_with_every_check(
    gateway: tuple[str, Path], tmp_path: Path
) -> None:
    url, log = gateway
    report = tmp_path / "report.json"
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        f"--config-file={CONFIG}",
        "run",
        f"{url}/openapi.json",
        "--checks=all",
        "--max-examples=5",
        f"--seed={SEED}",
        f"--max-time={FUZZ_S}",
        "--phases=coverage,fuzzing,stateful",
        f"--report-json-path={report}",
    ]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=FUZZ_S + 120, cwd=tmp_path
    )
    found = json.loads(report.read_text())
    assert found["failures"] == [] and found["test_cases"]["with_failures"] == 0, done.stdout[
        -4000:
    ]
    assert done.returncode == 0, done.stdout[-4000:]
    # Fewer under load: the run stops at FUZZ_S, however far it got.
    assert found["test_cases"]["generated"] > 400, "the run tested too little to mean anything"
    # A request its HTTP parser refuses never reaches the app; an exception in the app would.
    assert "Exception in ASGI application" not in log.read_text()
