"""Batch mode: a replica's batch-mode calls go to the provider's Batch API (through the openai
client) at the batch price, and each chunk's handler waits for its own line.

Every input keeps exactly one outcome because a chunk is not settled until its line's result
is in hand: its handler parks on the batch (the runtime renews its entry's lease meanwhile) and
then takes the online path's parse/repair/outcome code. A SIGKILL at any point loses and
doubles nothing:
- before submission, the chunk's entry is simply redelivered and collected again;
- the batch is created with metadata naming its group, and the group (with its lines) is
  written per chunk first, so a replica that died between creating the batch and recording it
  finds the batch by that metadata, records it for every line, and never submits again;
- after submission the chunk's batch id is in Redis (and on the log as BatchSubmitted), so
  the replica that reclaims the entry resumes polling that batch and never resubmits it.
A line the provider failed is retried online; an expired or cancelled batch fails its chunks
with the reason. A line goes through the ledger like an online call: a cached answer skips the
batch, and the line reserves its cost at the batch price until its result is in, so a job's
spending cap holds in batch mode too."""

from __future__ import annotations

import asyncio
import hashlib
import json
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline

from services.factory import stats
from services.factory.batch_api import BatchAPI, Finished
from services.factory.cache import CachedAnswer
from services.factory.ledger import Ledger
from services.factory.llm import LiteLLM
from services.factory.values import Call, LLMFailure, Reply, Usage
from shared import streams, wire
from shared.events import BatchSubmitted
from shared.ids import derive

_RECORD_TTL_S = 8 * 24 * 3600  # past the provider's longest completion window


def _record(owner: str) -> str:
    return f"df:factory:batch:{owner}"


def _group(group: str) -> str:
    """The (work item, job) of each line of the batch created for `group`."""
    return f"df:factory:batch-group:{group}"


def _member(call: Call) -> tuple[str, str]:
    return call.owner, call.job_id


def _keep(pipe: Pipeline, owner: str, fields: dict[Any, Any]) -> None:
    pipe.hset(_record(owner), mapping=fields)
    pipe.expire(_record(owner), _RECORD_TTL_S)


class Batcher:
    def __init__(
        self,
        llm: LiteLLM,
        api: BatchAPI,
        redis: Redis,
        ledger: Ledger,
        window_s: float,
        hold_s: float,  # a dead replica's line reservation lapses after this: above a batch's wait
    ) -> None:
        self._llm, self._api, self._redis, self._ledger = llm, api, redis, ledger
        self._window_s, self._hold_s = window_s, hold_s
        self._open: dict[str, Call] = {}  # owner -> call, waiting for the window to close
        self._flush: asyncio.Task[dict[str, str]] | None = None
        self._polls: dict[str, asyncio.Task[Finished]] = {}

    async def ask(self, call: Call) -> Reply:
        """The chunk's answer from the cache or its provider batch; LLMFailure when its line
        failed (`batch_line_failed`: retry online), its batch ended without results or the
        job's cap is spent."""
        key, usd = self._llm.cache_key(call), self._llm.reservation_usd(call, batch=True)
        hold_s, poll_s = self._hold_s, self._api.poll_s
        ticket = await self._ledger.begin_batch_line(call, key, usd, hold_s, poll_s)
        if isinstance(ticket, CachedAnswer):
            return ticket.reply(call.owner)
        try:
            text, usage = await self._answer(call)
        except BaseException:
            await self._ledger.finish(call, key, ticket, None)
            raise
        answer = CachedAnswer.of(text, usage, call.owner)
        await self._ledger.finish(call, key, ticket, answer, **stats.answered(call, usage))
        return Reply(text, usage)

    async def _answer(self, call: Call) -> tuple[str, Usage]:
        batch_id = await self._submitted(call)
        if batch_id is None:
            self._open[call.owner] = call
            if self._flush is None:
                self._flush = asyncio.create_task(self._submit_after_window())
            batch_id = (await asyncio.shield(self._flush))[call.owner]
        finished = await asyncio.shield(self._poll(batch_id))
        return self._reply(call, batch_id, finished)

    async def _submitted(self, call: Call) -> str | None:
        """The batch holding this chunk's line already, if an earlier delivery submitted it."""
        raw: dict[Any, Any] = await self._redis.hgetall(_record(call.owner))
        record = {k.decode(): v.decode() for k, v in raw.items()}
        if "batch_id" in record:
            return str(record["batch_id"])
        if "group" not in record:
            return None
        # Died between creating the batch and recording it: record it now, for every line.
        found = await self._api.find(record["group"])
        if found is not None:
            members = json.loads(await self._redis.get(_group(record["group"])) or "[]")
            await self._recorded(found, [tuple(m) for m in members] or [_member(call)])
        return found

    async def _submit_after_window(self) -> dict[str, str]:
        await asyncio.sleep(self._window_s)  # let the job's other chunks join this batch
        calls, self._open, self._flush = list(self._open.values()), {}, None
        members = [_member(c) for c in calls]
        group = hashlib.sha256("\n".join(sorted(c.owner for c in calls)).encode()).hexdigest()
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.set(_group(group), json.dumps(members), ex=_RECORD_TTL_S)
            for owner, _ in members:
                _keep(pipe, owner, {"group": group})
            await pipe.execute()
        batch_id = await self._api.submit([self._llm.batch_line(c) for c in calls], group)
        await self._recorded(batch_id, members)
        return {c.owner: batch_id for c in calls}

    async def _recorded(self, batch_id: str, members: list[tuple[str, str]]) -> None:
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

    def _poll(self, batch_id: str) -> asyncio.Task[Finished]:
        if batch_id not in self._polls:
            self._polls[batch_id] = asyncio.create_task(self._api.wait(batch_id))
        return self._polls[batch_id]

    def _reply(self, call: Call, batch_id: str, finished: Finished) -> tuple[str, Usage]:
        if finished.status != "completed":
            detail = f"provider batch {batch_id} ended {finished.status}"
            raise LLMFailure(f"batch_{finished.status}", detail)
        body = finished.bodies.get(call.owner)
        if body is None:
            raise LLMFailure("batch_line_failed", finished.errors.get(call.owner, "no result"))
        return self._llm.answer(body, call.model, batch=True)
