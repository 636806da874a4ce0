"""Asks the LLM once for a work item: from the cache if anyone paid for the answer, else through
the job's limits and budget with bounded retries; every call is counted in the job's totals."""

from __future__ import annotations

import asyncio
import logging
import random
from dataclasses import replace

from redis.asyncio import Redis

from services.factory import logic, stats
from services.factory.budget import Budget
from services.factory.cache import CachedAnswer, ResponseCache
from services.factory.limits import ProviderLimits, SharedLimiter, Slot
from services.factory.llm import LiteLLM
from services.factory.values import Call, LLMFailure, Reply, Usage
from shared import costs

log = logging.getLogger("datafactory.factory.calls")


class Caller:
    def __init__(
        self,
        llm: LiteLLM,
        redis: Redis,
        slots: SharedLimiter,
        rates: ProviderLimits,
        budget: Budget,
        policy: logic.RetryPolicy,
    ) -> None:
        self._llm, self._redis, self._slots, self._rates = llm, redis, slots, rates
        self._budget, self._policy = budget, policy
        self._cache = ResponseCache(redis)
        self._rng = random.Random()

    async def ask(self, call: Call) -> Reply:
        """An answer, or LLMFailure once retries are spent or the budget is."""
        if call.gen.dry_run:
            return await self._dry_run(call)
        key = self._llm.cache_key(call)
        hit = await self._cache.get(key)
        if hit is not None:
            async with self._redis.pipeline(transaction=False) as pipe:
                stats.cache_hit(pipe, call.job_id)
                await pipe.execute()
            return hit.reply(call.owner)
        return await self._with_retries(call, key)

    async def _with_retries(self, call: Call, key: str) -> Reply:
        last = self._policy.attempts
        for attempt in range(1, last + 1):
            try:
                text, usage = await self._attempt(call, key, may_retry=attempt < last)
                return Reply(text, usage, retries=attempt - 1)
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

    async def _attempt(self, call: Call, key: str, may_retry: bool) -> tuple[str, Usage]:
        async with self._slots.slot(call.job_id, call.gen.max_concurrent_llm) as slot:
            await self._rates.acquire(call.model, call.gen.rpm, call.gen.tpm, lambda: _tokens(call))
            held = await self._reserve(call)
            try:
                text, usage = await self._llm.complete(call)
            except BaseException as exc:
                retried = isinstance(exc, LLMFailure) and exc.retryable and may_retry
                await self._settle(call, slot, held, retried=retried)
                raise
            await self._settle(call, slot, held, answered=(key, text, usage))
        return text, usage

    async def _reserve(self, call: Call) -> str | None:
        prompt_usd = self._llm.cost_usd(call.model, costs.message_tokens(call.messages), 0)
        answer_usd = self._llm.cost_usd(call.model, 0, call.completion_tokens)
        cap = call.gen.max_cost_usd  # None: the deployment's default cap
        return await self._budget.reserve(call.job_id, cap, prompt_usd, answer_usd)

    async def _settle(
        self,
        call: Call,
        slot: Slot,
        held: str | None,
        answered: tuple[str, str, Usage] | None = None,
        retried: bool = False,
    ) -> None:
        """One MULTI frees the slot and the reservation and, for an answer, caches it and adds
        its cost to the job's spending, so no other call sees the one without the other."""
        async with self._redis.pipeline(transaction=True) as pipe:
            slot.release(pipe)
            self._budget.settle(pipe, call.job_id, held)
            if answered is None:
                stats.unanswered(pipe, call.job_id, retried)
            else:
                key, text, usage = answered
                self._cache.put(pipe, key, CachedAnswer.of(text, usage, call.owner))
                stats.answered(pipe, call, usage)
            await pipe.execute()

    async def _dry_run(self, call: Call) -> Reply:
        text, usage = await self._llm.mock(call), replace(self._estimated(call), simulated=True)
        async with self._redis.pipeline(transaction=False) as pipe:
            stats.dry_run(pipe, call.job_id, usage)
            await pipe.execute()
        return Reply(text, usage)

    def _estimated(self, call: Call) -> Usage:
        """What the call should cost: its prompt counted, its answer the template's expectation."""
        prompt, answer = costs.message_tokens(call.messages), call.completion_tokens
        return Usage(prompt, answer, self._llm.cost_usd(call.model, prompt, answer))


def _tokens(call: Call) -> int:
    """The prompt's tokens plus the answer's expected ones."""
    return costs.message_tokens(call.messages) + call.completion_tokens
