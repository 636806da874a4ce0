"""What `datafactory run` reports of a job that ended: its id, status, error, counts per
stage, cost, and where its dataset and card are (paths on this machine, or the gateway's
URLs). Pure: a job as the API returns it in, a document out."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# Where an export's file is: `where(export, "path" | "card_path")`.
Locate = Callable[[dict[str, Any], str], str]


def last_export(job: dict[str, Any]) -> dict[str, Any] | None:
    exports = job.get("exports") or []
    return dict(exports[-1]) if exports else None


def succeeded(job: dict[str, Any]) -> bool:
    """A dataset, and a job that neither failed (which may still export nothing, or an
    empty file) nor was cancelled (a part of its pages)."""
    return last_export(job) is not None and job.get("status") not in ("failed", "cancelled")


def _export(export: dict[str, Any]) -> dict[str, Any]:
    fields = ("id", "format", "version", "record_count", "rejected_count", "splits")
    return {name: export.get(name) for name in fields}


def document(job: dict[str, Any], where: Locate, dashboard: str | None) -> dict[str, Any]:
    """The job's report; `dataset`, `card` and `export` are null when it has no export, and
    `dashboard` when the gateway stopped with the job (an embedded stack)."""
    export = last_export(job)
    page = f"{dashboard.rstrip('/')}/jobs/{job.get('id')}" if dashboard else None
    return {
        "job_id": job.get("id"),
        "status": job.get("status"),
        "error": job.get("error"),
        "stages": job.get("stages", {}),
        "cost_usd": job.get("cost_usd"),
        "prompt_tokens": job.get("prompt_tokens"),
        "completion_tokens": job.get("completion_tokens"),
        "dataset": where(export, "path") if export else None,
        "card": where(export, "card_path") if export else None,
        "export": _export(export) if export else None,
        "dashboard": page,
    }


def why_failed(job: dict[str, Any]) -> str:
    error = job.get("error") or {}
    reason = f": {error.get('reason')} ({error.get('detail')})" if error else ""
    return f"job {job.get('id')} {job.get('status')}{reason}"
