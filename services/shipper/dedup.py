"""Which of a job's passed examples are copies, decided over the whole set at export: ranked
by score (best first), then id, each example is kept unless it shares a fingerprint with, or
is as close as the threshold to, one kept before it. A function of the set alone, so two runs
of a job, or a run with crashed replicas, keep the same examples. Pure."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from services.shipper.nearby import near_pairs
from services.shipper.stats import reason_kind
from shared.contract.vectors import unpack

Matrix = npt.NDArray[np.float32]
Stored = npt.NDArray[np.float16]  # a vector as events carry it


@dataclass
class Pool:
    """The passed examples that take part, one list entry each; a fixed one (exported by
    an earlier job of the project) is kept whatever it repeats."""

    ids: list[str] = field(default_factory=list)
    scores: list[float] = field(default_factory=list)
    fingerprints: list[list[str]] = field(default_factory=list)
    vectors: list[Stored | None] = field(default_factory=list)
    backends: list[str] = field(default_factory=list)
    fixed: list[bool] = field(default_factory=list)

    def add(
        self, id_: str, score: float, prints: list[str], vector: Stored | None, backend: str
    ) -> None:
        self.ids.append(id_)
        self.scores.append(score)
        self.fingerprints.append(prints)
        self.vectors.append(vector)
        self.backends.append(backend)
        self.fixed.append(False)

    def extend(self, other: Pool, fixed: bool = False) -> None:
        for name in ("ids", "scores", "fingerprints", "vectors", "backends"):
            getattr(self, name).extend(getattr(other, name))
        self.fixed.extend([fixed] * len(other.ids))


Removed = dict[str, tuple[str, str]]  # copy's id -> (kept id, "exact" or the cosine)
_POOLED = ["id", "quality_score", "fingerprints", "vector", "embedding"]


def removed(pool: Pool, threshold: float) -> Removed:
    rank = sorted(
        range(len(pool.ids)), key=lambda i: (not pool.fixed[i], -pool.scores[i], pool.ids[i])
    )
    place = {i: position for position, i in enumerate(rank)}
    near = _neighbours(pool, threshold, place)
    kept: set[int] = set()
    owners: dict[str, int] = {}
    found: Removed = {}
    for i in rank:
        copy = None if pool.fixed[i] else _copied(i, owners, near, kept, place, pool)
        if copy is not None:
            found[pool.ids[i]] = copy
            continue
        kept.add(i)
        for f in pool.fingerprints[i]:
            owners.setdefault(f, i)
    return found


def _copied(
    i: int,
    owners: dict[str, int],
    near: dict[int, list[tuple[int, float]]],
    kept: set[int],
    place: dict[int, int],
    pool: Pool,
) -> tuple[str, str] | None:
    """The kept example that `i` copies: one with a fingerprint of its, else the closest."""
    owner = next((owners[f] for f in pool.fingerprints[i] if f in owners), None)
    if owner is not None:
        return pool.ids[owner], "exact"
    close = [(j, cos) for j, cos in near.get(i, ()) if j in kept]
    if not close:
        return None
    j, cos = max(close, key=lambda c: (c[1], -place[c[0]]))  # closest, then best ranked
    return pool.ids[j], f"{cos:.3f}"


def _neighbours(
    pool: Pool, threshold: float, place: dict[int, int]
) -> dict[int, list[tuple[int, float]]]:
    """Pairs at or above the threshold, among examples embedded by the same backend; each
    group goes to `near_pairs` best ranked first."""
    groups: dict[tuple[str, int], list[int]] = defaultdict(list)
    rows: dict[int, Stored] = {}
    for i, (vector, backend) in enumerate(zip(pool.vectors, pool.backends, strict=True)):
        if vector is not None:
            groups[(backend, len(vector))].append(i)
            rows[i] = vector
    near: dict[int, list[tuple[int, float]]] = defaultdict(list)
    for members in groups.values():
        if len(members) < 2:
            continue
        members.sort(key=place.__getitem__)
        matrix = np.vstack([rows[i] for i in members]).astype(np.float32)
        first, second, cosines = near_pairs(matrix, threshold)
        for a, b, cos in zip(first.tolist(), second.tolist(), cosines.tolist(), strict=True):
            near[members[a]].append((members[b], cos))
            near[members[b]].append((members[a], cos))
    return near


def pool_of(tables: Iterable[pa.Table]) -> Pool:
    """The passed examples that carry what duplicate removal compares."""
    pool = Pool()
    for table in tables:
        chosen = table.filter(table["passed"]).select(_POOLED)
        for row in chosen.to_pylist():
            if row["fingerprints"] or row["vector"]:
                vector = unpack(row["vector"]) if row["vector"] else None
                prints = row["fingerprints"] or []
                pool.add(row["id"], row["quality_score"], prints, vector, row["embedding"] or "")
    return pool


def reason(owner: str, how: str) -> str:
    return f"duplicate_of:{owner}" if how == "exact" else f"near_duplicate_of:{owner}(cos={how})"


def applied(tables: Iterable[pa.Table], found: Removed) -> Iterator[pa.Table]:
    """The tables with each removed copy rejected, saying which example it copies."""
    copies = pa.array(list(found), pa.string())
    for table in tables:
        if not found or not pc.any(pc.is_in(table["id"], copies)).as_py():
            yield table
            continue
        rows = [_removed(r, *found[r["id"]]) if r["id"] in found else r for r in table.to_pylist()]
        yield pa.Table.from_pylist(rows, schema=table.schema)


def _removed(row: dict[str, Any], owner: str, how: str) -> dict[str, Any]:
    why = reason(owner, how)
    meta = orjson.loads(row["metadata"])
    meta |= {"rejected_because": [*meta.get("rejected_because", []), why], "duplicate_of": owner}
    record = orjson.loads(row["record"]) | {"metadata": meta}
    rendered = {"metadata": orjson.dumps(meta).decode(), "record": orjson.dumps(record).decode()}
    return row | rendered | {"passed": False, "kinds": [reason_kind(why)]}
