"""What the factory keeps in Redis about provider batches, so that a replica that dies at any
point is followed by one that resumes the same batch: per line, its group before submission and
its batch id after; per group, its lines; per submitted batch and job, a BatchSubmitted."""

from __future__ import annotations

import json
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline

from services.factory.values import Call
from shared.contract import streams, wire
from shared.contract.events import BatchSubmitted
from shared.contract.ids import derive

_TTL_S = 8 * 24 * 3600  # past the provider's longest completion window

Member = tuple[str, str]  # a line's work item and its job


def member(call: Call) -> Member:
    return call.owner, call.job_id


def _line(owner: str) -> str:
    return f"df:factory:batch:{owner}"


def _group(group: str) -> str:
    return f"df:factory:batch-group:{group}"


def _keep(pipe: Pipeline, owner: str, fields: dict[Any, Any]) -> None:
    pipe.hset(_line(owner), mapping=fields)
    pipe.expire(_line(owner), _TTL_S)


class BatchRecords:
    def __init__(self, redis: Redis) -> None:
        self._redis = redis

    async def of(self, owner: str) -> tuple[str | None, str | None]:
        """The line's (batch id, group), each None until written."""
        raw: dict[Any, Any] = await self._redis.hgetall(_line(owner))
        record = {k.decode(): v.decode() for k, v in raw.items()}
        return record.get("batch_id"), record.get("group")

    async def members(self, group: str) -> list[Member]:
        return [
            (owner, job) for owner, job in json.loads(await self._redis.get(_group(group)) or "[]")
        ]

    async def intend(self, group: str, members: list[Member]) -> None:
        """Written before the batch is created: the group names it at the provider."""
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.set(_group(group), json.dumps(members), ex=_TTL_S)
            for owner, _ in members:
                _keep(pipe, owner, {"group": group})
            await pipe.execute()

    async def submitted(self, batch_id: str, members: list[Member]) -> None:
        """Each line's batch and one BatchSubmitted per job, in one MULTI."""
        async with self._redis.pipeline(transaction=True) as pipe:
            for owner, _ in members:
                _keep(pipe, owner, {"batch_id": batch_id})
            for job_id in dict.fromkeys(job for _, job in members):
                chunks = [owner for owner, job in members if job == job_id]
                event_id = derive(batch_id, "batch-submitted", job_id)
                event = BatchSubmitted(
                    event_id=event_id, job_id=job_id, batch_id=batch_id, chunk_ids=chunks
                )
                pipe.xadd(streams.EVENTS, {wire.DATA_FIELD: wire.encode(event)})
            await pipe.execute()
