"""Settles a consumed entry: ack, outputs and job tally in one atomic Lua call."""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import files

from redis.asyncio import Redis

from shared import streams
from shared.events import Event, JobCompleted
from shared.ids import derive
from shared.wire import encode

_SCRIPT = files("shared").joinpath("commit.lua").read_text()


@dataclass(frozen=True)
class Emit:
    stream: str
    event: Event


class Committer:
    def __init__(self, redis: Redis) -> None:
        self._script = redis.register_script(_SCRIPT)

    async def commit(
        self,
        *,
        stream: str,
        group: str,
        entry_id: str,
        job_id: str | None,
        tallied: bool,
        emits: list[Emit],
        raw_outputs: list[tuple[str, str]] = (),  # type: ignore[assignment]
    ) -> bool:
        """Returns False when another replica settled the entry first."""
        outputs = [(e.stream, encode(e.event)) for e in emits] + list(raw_outputs)
        forwarded = sum(1 for e in emits if e.stream in streams.WORK_STREAMS and e.event.tallied)
        completion = ""
        if tallied and job_id is not None:
            completion = encode(JobCompleted(event_id=derive(job_id, "done"), job_id=job_id))
        keys = [stream, streams.tally_key(job_id or "-"), streams.SHIPPER]
        keys += [name for name, _ in outputs]
        args: list[str | int] = [group, entry_id, forwarded - 1, completion]
        args += [payload for _, payload in outputs]
        result = await self._script(keys=keys, args=args)
        return int(result) == 1
