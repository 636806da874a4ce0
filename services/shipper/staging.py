"""A job's scored examples, staged on disk one sorted batch file at a time until it is exported.

Each batch lands whole (written, then renamed), so a crash never leaves half a batch. A
redelivered batch may stage an example twice; reading merges the files by example id and
keeps one copy of each, holding one line per file in memory, never the job."""

from __future__ import annotations

import hashlib
import heapq
import secrets
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from pathlib import Path

from services.shipper.records import key, staged_line
from shared.events import ExampleScored

SUFFIX = ".jsonl"
# Files merged at once; more are merged in rounds, so open files stay few.
FAN_IN = 64


def folder(data_dir: Path, job_id: str) -> Path:
    return data_dir / "staging" / job_id


def _land(target: Path, lines: Iterable[bytes]) -> None:
    """Writes under a name no other writer uses, then renames: the file appears whole."""
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    with tmp.open("wb") as f:
        f.writelines(lines)
    tmp.replace(target)


def append(data_dir: Path, job_id: str, batch_name: str, scored: list[ExampleScored]) -> None:
    target = folder(data_dir, job_id) / f"{batch_name}{SUFFIX}"
    target.parent.mkdir(parents=True, exist_ok=True)
    _land(target, sorted(staged_line(s) for s in scored))


def _once(lines: Iterable[bytes]) -> Iterator[bytes]:
    """Sorted lines with a repeated example id left out."""
    last = None
    for line in lines:
        if (current := key(line)) != last:
            last = current
            yield line


def _merge(paths: list[Path], target: Path) -> None:
    with ExitStack() as stack:
        files = [stack.enter_context(path.open("rb")) for path in paths]
        _land(target, _once(heapq.merge(*files, key=key)))


def consolidate(data_dir: Path, job_id: str) -> Path | None:
    """Merges the job's staged files into one sorted file without repeats; None if nothing
    was staged. Inputs are removed only after their merge has landed."""
    base = folder(data_dir, job_id)
    paths = sorted(base.glob(f"*{SUFFIX}"))
    while len(paths) > 1 or (paths and not paths[0].name.startswith("~")):
        merged = []
        for start in range(0, len(paths), FAN_IN):
            group = paths[start : start + FAN_IN]
            names = "\n".join(p.name for p in group).encode()
            target = base / f"~{hashlib.blake2b(names, digest_size=8).hexdigest()}{SUFFIX}"
            _merge(group, target)
            for path in group:
                if path != target:
                    path.unlink(missing_ok=True)
            merged.append(target)
        paths = merged
    return paths[0] if paths else None


def read(data_dir: Path, job_id: str) -> Iterator[bytes]:
    """Every staged example once, as its staged line, in example-id order."""
    merged = consolidate(data_dir, job_id)
    if merged is None:
        return
    with merged.open("rb") as f:
        yield from _once(f)
