"""A job's scored examples, staged on disk one batch file at a time until the job completes.

Each batch lands whole (written, then renamed), so a crash never leaves half a batch; a
redelivered batch may stage an example twice, and reading keeps one copy per example id."""

from __future__ import annotations

from pathlib import Path

from shared.events import ExampleScored


def folder(data_dir: Path, job_id: str) -> Path:
    return data_dir / "staging" / job_id


def append(data_dir: Path, job_id: str, batch_name: str, scored: list[ExampleScored]) -> None:
    target = folder(data_dir, job_id) / f"{batch_name}.jsonl"
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".tmp")
    tmp.write_text("".join(s.model_dump_json() + "\n" for s in scored), encoding="utf-8")
    tmp.replace(target)


def read(data_dir: Path, job_id: str) -> list[ExampleScored]:
    """Every staged example once, in example-id order, whatever the batches were."""
    found: dict[str, ExampleScored] = {}
    for path in sorted(folder(data_dir, job_id).glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            scored = ExampleScored.model_validate_json(line)
            found[scored.example.event_id] = scored
    return [found[key] for key in sorted(found)]
