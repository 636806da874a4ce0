"""A job's staged batches merged into one Arrow file, the form every export reads.

A redelivered batch may stage an example twice; the first export merges the batch files by
example id, keeping one copy of each and holding one line per file in memory, never the job,
and turns the result into columns once for every export of the job."""

from __future__ import annotations

import hashlib
import heapq
import io
import itertools
import secrets
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pyarrow as pa
import pyarrow.json as pajson

from services.shipper.records import STAGED, body, key
from services.shipper.staging import COLUMNS, SUFFIX, folder, land

# Rows per columnar batch: big enough for columnar calls to pay, small enough that memory
# stays flat whatever the job's size.
CHUNK = 8192
# Files merged at once; more are merged in rounds, so open files stay few.
FAN_IN = 64


def _once(lines: Iterable[bytes]) -> Iterator[bytes]:
    """Sorted lines with a repeated example id left out."""
    last = b""
    for line in lines:
        current = line[: line.index(b"\t")]  # key(), inlined: this loop sees every example
        if current != last:
            last = current
            yield line


def _merge(paths: list[Path], target: Path) -> None:
    with ExitStack() as stack:
        files = [stack.enter_context(path.open("rb")) for path in paths]
        land(target, _once(heapq.merge(*files, key=key)))


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


def parsed(lines: list[bytes]) -> pa.Table:
    """Staged lines as one table of `STAGED` columns."""
    data = b"".join(body(line) for line in lines)
    block = max(1 << 22, 2 * max(map(len, lines)))  # a row never straddles two blocks
    return pajson.read_json(
        io.BytesIO(data),
        read_options=pajson.ReadOptions(block_size=block),
        parse_options=pajson.ParseOptions(explicit_schema=STAGED),
    )


def _columnar(merged: Path, target: Path) -> None:
    """The merged lines as an Arrow file of CHUNK-row batches: exports read columns, never
    parse JSON again."""
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    with merged.open("rb") as f, pa.ipc.new_file(tmp, STAGED) as out:
        lines = _once(f)
        while chunk := list(itertools.islice(lines, CHUNK)):
            out.write_table(parsed(chunk).combine_chunks())  # one batch per CHUNK rows
    tmp.replace(target)


def arrow_file(data_dir: Path, job_id: str) -> Path | None:
    """The job's examples once each, in example-id order, as an Arrow file; made on the
    first export. No example is staged after its job completed, so it is final."""
    target = folder(data_dir, job_id) / COLUMNS
    if not target.exists():
        merged = consolidate(data_dir, job_id)
        if merged is None:
            return None
        _columnar(merged, target)
    for stale in [*target.parent.glob(f"*{SUFFIX}"), *target.parent.glob(".*.tmp")]:
        stale.unlink(missing_ok=True)  # merged, a late copy, or a killed writer's leftover
    return target


def read(data_dir: Path, job_id: str) -> Iterator[pa.Table]:
    """Every staged example once, in example-id order, a table of CHUNK rows at a time."""
    path = arrow_file(data_dir, job_id)
    if path is None:
        return
    with pa.OSFile(str(path)) as source:
        reader = pa.ipc.open_file(source)
        for i in range(reader.num_record_batches):
            yield pa.Table.from_batches([reader.get_batch(i)])
