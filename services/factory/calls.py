"""Asks the LLM once for a work item: from the cache if anyone paid for the answer, else through
the job's limits and budget with bounded retries; every call is counted in the job's totals."""

from __future__ import annotations

import asyncio
import logging
import random
from dataclasses import replace

from redis.asyncio import Redis

from services.factory import logic, stats
from services.factory.cache import CachedAnswer
from services.factory.ledger import Ledger, Ticket
from services.factory.limits import LocalLimiter, ProviderLimits
from services.factory.llm import LiteLLM
from services.factory.values import Call, LLMFailure, Reply, Usage
from shared.ops import totals

log = logging.getLogger("datafactory.factory.calls")


class Caller:
    def __init__(
        self,
        llm: LiteLLM,
        redis: Redis,
        local: LocalLimiter,
        ledger: Ledger,
        rates: ProviderLimits,
        policy: logic.RetryPolicy,
    ) -> None:
        self._llm, self._redis, self._local, self._ledger = llm, redis, local, ledger
        self._rates, self._policy = rates, policy
        self._rng = random.Random()

    async def ask(self, call: Call) -> Reply:
        """An answer, or LLMFailure once retries are spent or the budget is."""
        if call.gen.dry_run:
            return await self._dry_run(call)
        key = self._llm.cache_key(call)
        last = self._policy.attempts
        for attempt in range(1, last + 1):
            try:
                return await self._attempt(call, key, attempt, may_retry=attempt < last)
            except LLMFailure as failure:
                if not failure.retryable or attempt == last:
                    failure.calls, failure.retries = attempt - int(not failure.sent), attempt - 1
                    raise
                wait = self._backoff(call, attempt, failure)
            await asyncio.sleep(wait)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _backoff(self, call: Call, attempt: int, failure: LLMFailure) -> float:
        wait = logic.backoff_s(attempt, failure.retry_after, self._rng.random(), self._policy)
        log.info("%s on %s, attempt %d; retry in %.2fs", failure.reason, call.model, attempt, wait)
        return wait

    async def _attempt(self, call: Call, key: str, attempt: int, may_retry: bool) -> Reply:
        """Another item's answer from the cache (asked again on every attempt, since another
        replica may have paid for it meanwhile), else one HTTP call."""
        async with self._local.slot(call.job_id, call.gen.max_concurrent_llm):
            got = await self._ledger.begin(call, key, self._llm.reservation_usd(call))
            if isinstance(got, CachedAnswer):
                return got.reply(call.owner)
            text, usage = await self._call(call, key, got, may_retry)
        return Reply(text, usage, retries=attempt - 1)

    async def _call(
        self, call: Call, key: str, ticket: Ticket, may_retry: bool
    ) -> tuple[str, Usage]:
        try:
            await self._rates.acquire(call.model, call.gen.rpm, call.gen.tpm, lambda: _tokens(call))
            text, usage = await self._llm.complete(call)
        except BaseException as exc:
            retried = isinstance(exc, LLMFailure) and exc.retryable and may_retry
            await self._ledger.finish(call, key, ticket, None, **stats.unanswered(retried))
            raise
        answer = CachedAnswer.of(text, usage, call.owner)
        await self._ledger.finish(call, key, ticket, answer, **stats.answered(call, usage))
        return text, usage

    async def _dry_run(self, call: Call) -> Reply:
        text, usage = await self._llm.mock(call), replace(self._estimated(call), simulated=True)
        async with self._redis.pipeline(transaction=False) as pipe:
            totals.add(pipe, call.job_id, **stats.dry_run(usage))
            await pipe.execute()
        return Reply(text, usage)

    def _estimated(self, call: Call) -> Usage:
        """What the call should cost: its prompt counted, its answer the template's expectation."""
        prompt, answer = call.prompt_tokens, call.completion_tokens
        return Usage(prompt, answer, self._llm.cost_usd(call.model, prompt, answer))


def _tokens(call: Call) -> int:
    """The prompt's tokens plus the answer's expected ones."""
    return call.prompt_tokens + call.completion_tokens
