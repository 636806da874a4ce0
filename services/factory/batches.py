"""Batch mode: a replica's batch-mode calls go to their provider's batch API (OpenAI's, or any
OpenAI-compatible server's, and Anthropic's Message Batches) at the batch price, one batch per
provider and model, and each chunk's handler waits for its own line.

Every input keeps exactly one outcome because a chunk is not settled until its line's result
is in hand: its handler parks on the batch (the runtime renews its entry's lease meanwhile) and
then takes the online path's parse/repair/outcome code. A SIGKILL at any point loses and
doubles nothing:
- before submission, the chunk's entry is simply redelivered and collected again;
- the batch is created with metadata naming its group, and the group (with its lines) is
  written per chunk first, so a replica that died between creating the batch and recording it
  finds the batch by that metadata, records it for every line, and never submits again
  (Anthropic's batches have no metadata: see `services.factory.message_batches`);
- after submission the chunk's batch id is in Redis (and on the log as BatchSubmitted), so
  the replica that reclaims the entry resumes polling that batch and never resubmits it.
A line the provider failed is retried online, and so is a call whose provider has no batch
API we speak; an expired or cancelled batch fails its chunks
with the reason. A line goes through the ledger like an online call: a cached answer skips the
batch, and the line reserves its cost at the batch price until its result is in, so a job's
spending cap holds in batch mode too."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Mapping

from services.factory import stats
from services.factory.batch_api import BatchAPI, Finished
from services.factory.batch_records import BatchRecords, Member, member
from services.factory.cache import CachedAnswer
from services.factory.ledger import Ledger
from services.factory.llm import LiteLLM
from services.factory.values import Call, LLMFailure, Reply, Usage

Submitted = dict[str, "str | BaseException"]  # owner -> its batch id, or why submitting failed


class Batcher:
    def __init__(
        self,
        llm: LiteLLM,
        apis: Mapping[str, BatchAPI],  # by the name `LiteLLM.batch_api` gives a model
        records: BatchRecords,
        ledger: Ledger,
        window_s: float,
        hold_s: float,  # a dead replica's line reservation lapses after this: above a batch's wait
    ) -> None:
        self._llm, self._apis, self._records, self._ledger = llm, apis, records, ledger
        self._window_s, self._hold_s = window_s, hold_s
        self._open: dict[str, Call] = {}  # owner -> call, waiting for the window to close
        self._flush: asyncio.Task[Submitted] | None = None
        self._polls: dict[str, asyncio.Task[Finished]] = {}

    async def ask(self, call: Call) -> Reply:
        """The chunk's answer from the cache or its provider batch; LLMFailure when its line
        failed (`batch_line_failed`) or its provider has no batch API (`batch_unsupported`),
        both to retry online, when its batch ended without results or the job's cap is spent."""
        api = self._api(call)
        key, usd = self._llm.cache_key(call), self._llm.reservation_usd(call, batch=True)
        ticket = await self._ledger.begin_batch_line(call, key, usd, self._hold_s, api.poll_s)
        if isinstance(ticket, CachedAnswer):
            return ticket.reply(call.owner)
        try:
            text, usage = await self._answer(call, api)
        except BaseException:
            await self._ledger.finish(call, key, ticket, None)
            raise
        answer = CachedAnswer.of(text, usage, call.owner)
        await self._ledger.finish(call, key, ticket, answer, **stats.answered(call, usage))
        return Reply(text, usage)

    def _api(self, call: Call) -> BatchAPI:
        api = self._apis.get(self._llm.batch_api(call.model) or "")
        if api is None:
            detail = f"{call.model}'s provider has no batch API this factory speaks"
            raise LLMFailure("batch_unsupported", detail, sent=False)
        return api

    async def _answer(self, call: Call, api: BatchAPI) -> tuple[str, Usage]:
        batch_id = await self._submitted(call, api)
        if batch_id is None:
            self._open[call.owner] = call
            if self._flush is None:
                self._flush = asyncio.create_task(self._submit_after_window())
            result = (await asyncio.shield(self._flush))[call.owner]
            if isinstance(result, BaseException):
                raise result
            batch_id = result
        finished = await asyncio.shield(self._poll(batch_id, api))
        return self._reply(call, batch_id, finished)

    async def _submitted(self, call: Call, api: BatchAPI) -> str | None:
        """The batch holding this chunk's line already, if an earlier delivery submitted it."""
        batch_id, group = await self._records.of(call.owner)
        if batch_id is not None or group is None:
            return batch_id
        # Died between creating the batch and recording it: record it now, for every line.
        found = await api.find(group)
        if found is not None:
            await self._records.submitted(
                found, await self._records.members(group) or [member(call)]
            )
        return found

    async def _submit_after_window(self) -> Submitted:
        await asyncio.sleep(self._window_s)  # let the job's other chunks join this batch
        calls, self._open, self._flush = list(self._open.values()), {}, None
        batches: dict[tuple[str, str], list[Call]] = {}
        for call in calls:  # a provider batch takes one model
            batches.setdefault((self._llm.batch_api(call.model) or "", call.model), []).append(call)
        done = await asyncio.gather(
            *(self._submit(self._apis[api], lines) for (api, _), lines in batches.items()),
            return_exceptions=True,
        )
        return {
            c.owner: result
            for lines, result in zip(batches.values(), done, strict=True)
            for c in lines
        }

    async def _submit(self, api: BatchAPI, calls: list[Call]) -> str:
        members: list[Member] = [member(c) for c in calls]
        group = hashlib.sha256("\n".join(sorted(c.owner for c in calls)).encode()).hexdigest()
        await self._records.intend(group, members)
        batch_id = await api.submit([self._llm.batch_line(c) for c in calls], group)
        await self._records.submitted(batch_id, members)
        return batch_id

    def _poll(self, batch_id: str, api: BatchAPI) -> asyncio.Task[Finished]:
        if batch_id not in self._polls:
            self._polls[batch_id] = asyncio.create_task(api.wait(batch_id))
        return self._polls[batch_id]

    def _reply(self, call: Call, batch_id: str, finished: Finished) -> tuple[str, Usage]:
        if finished.status != "completed":
            detail = f"provider batch {batch_id} ended {finished.status}"
            raise LLMFailure(f"batch_{finished.status}", detail)
        body = finished.bodies.get(call.owner)
        if body is None:
            raise LLMFailure("batch_line_failed", finished.errors.get(call.owner, "no result"))
        return self._llm.answer(body, call.model, batch=True)
