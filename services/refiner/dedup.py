"""The exact and near-duplicate index of a job (or project) in Redis, shared by all replicas."""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import files

from redis.asyncio import Redis

from services.refiner import fingerprint
from services.refiner.fingerprint import WIDTH
from shared.contract.config import ProcessingConfig
from shared.contract.events import PageFetched

_SCRIPT = files("services.refiner").joinpath("dedup.lua").read_text()
# A job's index goes once the job has been idle this long; a project's stays.
JOB_TTL_S = 7 * 24 * 3600


@dataclass(frozen=True)
class Candidate:
    chunk_id: str
    key: str
    signature: bytes
    bands: tuple[str, ...]


@dataclass(frozen=True)
class Decision:
    reason: str | None  # None: kept; "duplicate" or "near_duplicate"
    owner: str | None = None  # the chunk that holds this text


@dataclass(frozen=True)
class Scope:
    """Where a chunk's duplicates are looked for: its job's chunks or its project's."""

    name: str
    ngram: int
    rows: int
    band_count: int

    @property
    def keys(self) -> list[str]:
        # One hash tag: every key of a scope lives on one Redis Cluster slot, as Lua requires.
        prefix = f"df:dedup:{{{self.name}}}"
        return [
            f"{prefix}:exact",
            f"{prefix}:decided",
            f"{prefix}:sig:n{self.ngram}",
            f"{prefix}:bands:n{self.ngram}:r{self.rows}",
        ]

    @property
    def ttl(self) -> int:
        return JOB_TTL_S if self.name.startswith("job:") else 0


def scope(page: PageFetched, config: ProcessingConfig) -> Scope:
    """The page's job, or its project when the job's config asks for project-wide dedup."""
    name = f"job:{page.job_id}"
    if config.dedup_scope == "project" and page.project_id:
        name = f"project:{page.project_id}"
    bands, rows = fingerprint.lsh_shape(config.dedup_threshold)
    return Scope(name, config.dedup_ngram, rows, bands)


def _decision(raw: bytes | str) -> Decision:
    text = raw.decode() if isinstance(raw, bytes) else raw
    reason, _, owner = text.partition(" ")
    return Decision(None) if reason == "kept" else Decision(reason, owner)


class DedupIndex:
    def __init__(self, redis: Redis) -> None:
        self._script = redis.register_script(_SCRIPT)

    async def claim(
        self, scope: Scope, threshold: float, candidates: list[Candidate]
    ) -> list[Decision]:
        """Each candidate's decision, in order; kept ones are now in the index."""
        if not candidates:
            return []
        args: list[str | bytes | float | int] = [threshold, WIDTH, scope.ttl, scope.band_count]
        for c in candidates:
            # One hash holds every band's buckets: the field names its band.
            args += [c.chunk_id, c.key, c.signature, *(f"{i}:{b}" for i, b in enumerate(c.bands))]
        raw = await self._script(keys=scope.keys, args=args)
        return [_decision(r) for r in raw]
