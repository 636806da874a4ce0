"""`datafactory run`: submits a job to the gateway, shows progress per stage, prints the dataset."""

from __future__ import annotations

import time
from typing import Any

import httpx
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn

from services.cli.stack import STAGES

console = Console(stderr=True)


def submit(client: httpx.Client, urls: list[str], project: str, config: dict[str, Any]) -> str:
    project_id = _project_id(client, project)
    response = client.post(
        f"/api/projects/{project_id}/jobs", json={"urls": urls, "config": config}
    )
    if response.status_code >= 400:
        raise SystemExit(f"job rejected: {response.status_code} {response.text}")
    body = response.json()
    for bad in body.get("rejected_urls", []):
        console.print(f"[yellow]skipped[/] {bad.get('url')}: {bad.get('reason')}")
    return str(body["job_id"])


def _project_id(client: httpx.Client, name: str) -> str:
    for project in client.get("/api/projects").json():
        if project["name"] == name:
            return str(project["id"])
    response = client.post("/api/projects", json={"name": name})
    response.raise_for_status()
    return str(response.json()["id"])


def follow(client: httpx.Client, job_id: str, timeout_s: float) -> dict[str, Any]:
    """Polls the job until it has an export (or is cancelled), drawing one bar per stage."""
    deadline = time.monotonic() + timeout_s
    columns = (
        TextColumn("{task.description:>10}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[note]}"),
    )
    with Progress(*columns, console=console) as bars:
        tasks = {stage: bars.add_task(stage, total=None, note="") for stage in STAGES[:-1]}
        while True:
            job = client.get(f"/api/jobs/{job_id}").json()
            _draw(bars, tasks, job)
            if job.get("exports") or job.get("status") in ("cancelled", "failed"):
                return dict(job)
            if time.monotonic() > deadline:
                raise SystemExit(f"job {job_id} did not finish within {timeout_s:.0f}s")
            time.sleep(0.5)


def _draw(bars: Progress, tasks: dict[str, TaskID], job: dict[str, Any]) -> None:
    for stage, counts in job.get("stages", {}).items():
        if stage in tasks:
            shown = {k: v for k, v in counts.items() if k not in ("done", "total", "settled") and v}
            bars.update(
                tasks[stage],
                completed=counts.get("settled", 0),
                total=counts.get("total") or 0,
                note=", ".join(f"{k} {v}" for k, v in shown.items()),
            )
