"""A job's accepted examples in Redis, shared by every inspector replica: fingerprints for
exact duplicates, vectors for near ones, and each claimed example's decision."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from importlib.resources import files

import numpy as np
from redis.asyncio import Redis

from services.inspector.checks.duplicates import Vectors, near_owners

_SCRIPT = files("services.inspector").joinpath("claim.lua").read_text()
JOB_TTL_S = 7 * 24 * 3600  # as the refiner's index: gone once the job has been idle a week
MAX_TRIES = 20  # each retry only compares the vectors other replicas added meanwhile
_CACHED_JOBS = 16


@dataclass(frozen=True)
class Candidate:
    example_id: str
    fingerprints: list[str]


@dataclass
class _Accepted:
    """This replica's copy of a job's accepted vectors, extended as others add to them."""

    ids: list[str] = field(default_factory=list)
    vectors: Vectors = field(default_factory=lambda: np.zeros((0, 0), dtype=np.float32))


def keys(job_id: str, backend: str) -> list[str]:
    # One hash tag: the keys of a job live on one Redis Cluster slot, as Lua requires.
    prefix = f"df:inspect:{{job:{job_id}}}"
    return [f"{prefix}:exact", f"{prefix}:decided", f"{prefix}:vectors:{backend}"]


class AcceptedIndex:
    def __init__(self, redis: Redis) -> None:
        self._redis = redis
        self._script = redis.register_script(_SCRIPT)
        self._cache: OrderedDict[tuple[str, str], _Accepted] = OrderedDict()

    async def claim(
        self,
        job_id: str,
        backend: str,
        candidates: list[Candidate],
        vectors: Vectors,
        threshold: float,
    ) -> list[str]:
        """Each candidate's decision, in order; kept ones are now accepted."""
        decisions = [""] * len(candidates)
        pending = list(range(len(candidates)))
        for _ in range(MAX_TRIES):
            accepted = await self._sync(job_id, backend)
            ids = [candidates[i].example_id for i in pending]
            near = near_owners(ids, vectors[pending], accepted.ids, accepted.vectors, threshold)
            args: list[str | bytes | int] = [JOB_TTL_S, len(accepted.ids)]
            for i, hit in zip(pending, near, strict=True):
                c = candidates[i]
                args += [c.example_id, f"{hit.owner} {hit.similarity:.3f}" if hit else ""]
                args += [vectors[i].astype(np.float16).tobytes(), len(c.fingerprints)]
                args += c.fingerprints
            raw = await self._script(keys=keys(job_id, backend), args=args)
            answers = [a.decode() if isinstance(a, bytes) else str(a) for a in raw[1:]]
            for i, answer in zip(pending, answers, strict=True):
                decisions[i] = answer
            pending = [i for i in pending if decisions[i] == "stale"]
            if not pending:
                return decisions
        raise RuntimeError(f"near-duplicate claims of job {job_id} kept going stale")

    async def _sync(self, job_id: str, backend: str) -> _Accepted:
        cached = self._cache.pop((job_id, backend), None) or _Accepted()
        key = keys(job_id, backend)[2]
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.llen(key)
            pipe.lrange(key, len(cached.ids), -1)
            length, added = await pipe.execute()
        if length < len(cached.ids):  # expired and begun again: read it whole
            cached, added = _Accepted(), await self._redis.lrange(key, 0, -1)
        if added:
            cached = _extended(cached, added)
        self._cache[(job_id, backend)] = cached
        while len(self._cache) > _CACHED_JOBS:
            self._cache.popitem(last=False)
        return cached


def _extended(accepted: _Accepted, entries: list[bytes]) -> _Accepted:
    parts = [entry.split(b"\0", 1) for entry in entries]
    rows = np.vstack([np.frombuffer(v, dtype=np.float16) for _, v in parts]).astype(np.float32)
    vectors = np.vstack([accepted.vectors, rows]) if len(accepted.ids) else rows
    return _Accepted(accepted.ids + [i.decode() for i, _ in parts], vectors)
