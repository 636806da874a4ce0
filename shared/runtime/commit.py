"""Settles consumed entries: ack, outputs and job tallies of a whole batch in one Lua call."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib.resources import files

from redis.asyncio import Redis

from shared.contract import streams
from shared.contract.events import Event, JobCompleted
from shared.contract.ids import derive
from shared.contract.wire import encode

_SCRIPT = files("shared.runtime").joinpath("commit.lua").read_text()


@dataclass(frozen=True)
class Emit:
    stream: str
    event: Event


@dataclass(frozen=True)
class Settle:
    """One entry's outcome: its outputs, and whether it counts toward its job's tally."""

    entry_id: str
    job_id: str | None
    tallied: bool
    emits: Sequence[Emit] = ()
    raw_outputs: Sequence[tuple[str, str]] = field(default=())

    def outputs(self) -> list[tuple[str, str]]:
        return [(e.stream, encode(e.event)) for e in self.emits] + list(self.raw_outputs)

    def delta(self) -> int:
        """Work items it forwards minus itself: the change to its job's outstanding count."""
        return (
            sum(1 for e in self.emits if e.stream in streams.WORK_STREAMS and e.event.tallied) - 1
        )


class _Keys:
    """KEYS of one script call, each named once; ARGV refers to them by 1-based index."""

    def __init__(self, *fixed: str) -> None:
        self.names: list[str] = list(fixed)
        self._index = {name: i + 1 for i, name in enumerate(fixed)}

    def __call__(self, name: str) -> int:
        if name not in self._index:
            self.names.append(name)
            self._index[name] = len(self.names)
        return self._index[name]


class Committer:
    def __init__(self, redis: Redis) -> None:
        self.redis = redis
        self._script = redis.register_script(_SCRIPT)

    async def commit(self, stream: str, group: str, batch: Sequence[Settle]) -> list[bool]:
        """One atomic call; False for an entry another replica had already settled."""
        keys = _Keys(stream, streams.SHIPPER)
        args: list[str | int] = [group, len(batch)]
        completions: dict[str, str] = {}
        for item in batch:
            args += _entry_args(item, keys, completions)
        flags = await self._script(keys=keys.names, args=args)
        return [int(flag) == 1 for flag in flags]


def _completion(job_id: str) -> str:
    return encode(JobCompleted(event_id=derive(job_id, "done"), job_id=job_id))


def _entry_args(item: Settle, keys: _Keys, completions: dict[str, str]) -> list[str | int]:
    """The entry's ARGV; `completions` holds the JobCompleted payload of each job, made once."""
    outputs = item.outputs()
    tally, done = 0, ""
    if item.tallied and item.job_id:
        tally = keys(streams.tally_key(item.job_id))
        if item.job_id not in completions:
            completions[item.job_id] = _completion(item.job_id)
        done = completions[item.job_id]
    args: list[str | int] = [item.entry_id, tally, item.delta(), done, len(outputs)]
    for name, payload in outputs:
        args += [keys(name), payload]
    return args
