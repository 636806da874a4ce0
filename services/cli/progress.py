"""A job's progress as it runs: a bar per stage on a terminal, a line per change elsewhere (a
log file, CI), nothing with --quiet; all of it on stderr."""

from __future__ import annotations

import time
from typing import Any

import httpx
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from services.cli.output import CommandFailed, Exit, Output, escape
from services.cli.stack import STAGES

POLL_S = 0.5
_HIDDEN = ("done", "total", "settled")


def counts_note(counts: dict[str, Any]) -> str:
    """`fetched 6, failed 1`: a stage's non-zero outcome counts."""
    return ", ".join(f"{k} {v}" for k, v in counts.items() if k not in _HIDDEN and v)


class TimedOut(CommandFailed):
    """The job went on past --timeout; `job` is how far it got."""

    def __init__(self, job: dict[str, Any], timeout_s: float) -> None:
        message = f"[red]job {escape(str(job.get('id')))} did not finish within {timeout_s:g}s[/]"
        super().__init__(Exit.TIMEOUT, message)
        self.job = job


class _Display:
    """The stages' counts: bars that redraw in place, or a line when a stage's counts change."""

    def __init__(self, out: Output, bars: Progress) -> None:
        self.out, self.bars, self.said = out, bars, dict[str, str]()
        self.tasks = {stage: bars.add_task(stage, total=None, note="") for stage in STAGES[:-1]}

    def update(self, job: dict[str, Any]) -> None:
        for stage, counts in job.get("stages", {}).items():
            if stage in self.tasks:
                done, total = counts.get("settled", 0), counts.get("total") or 0
                if self.out.bars:
                    note = counts_note(counts)
                    self.bars.update(self.tasks[stage], completed=done, total=total, note=note)
                else:
                    self._line(f"{stage} {done}/{total} {counts_note(counts)}".rstrip(), stage)

    def _line(self, text: str, stage: str) -> None:
        if self.said.get(stage) != text:
            self.said[stage] = text
            self.out.say(escape(text))


def follow(client: httpx.Client, job_id: str, timeout_s: float, out: Output) -> dict[str, Any]:
    """Polls the job until it has an export, or failed or was cancelled."""
    deadline = time.monotonic() + timeout_s
    columns = (
        TextColumn("{task.description:>10}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[note]}"),
    )
    with Progress(*columns, console=out.err, disable=not out.bars) as bars:
        display = _Display(out, bars)
        while True:
            job: dict[str, Any] = client.get(f"/api/jobs/{job_id}").json()
            display.update(job)
            if job.get("exports") or job.get("status") in ("cancelled", "failed"):
                return job
            if time.monotonic() > deadline:
                raise TimedOut(job, timeout_s)
            time.sleep(POLL_S)
