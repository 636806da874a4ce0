"""The optional LLM judge through litellm: one call per example that passes the other checks,
its verdict and cost kept in Redis so that a redelivered example is not judged twice.

A judge call is held to what the factory's calls are: its model must be one the deployment
allows (and can price), its answer is capped by `max_tokens`, and it reserves its cost
against the job's spending cap before it is sent, in the same ledger as the factory's."""

from __future__ import annotations

import asyncio
import json
import os
from typing import Any

from redis.asyncio import Redis

from services.inspector import logic
from services.inspector.checks.base import Finding, Item
from services.inspector.checks.judge import judged, messages
from services.inspector.judge_budget import JudgeBudget
from shared.contract.config import GenerationConfig
from shared.ops import totals
from shared.runtime import costs, model_policy
from shared.settings import Settings

CONCURRENCY = 8
# The rubric asks for one short JSON object: a few dozen tokens; the rest is margin.
ANSWER_TOKENS = 200


def _key(job_id: str) -> str:
    return f"df:inspect:{{job:{job_id}}}:judge"


class Judge:
    def __init__(self, settings: Settings, redis: Redis) -> None:
        self._settings, self._redis = settings, redis
        self._slots = asyncio.Semaphore(CONCURRENCY)
        self._budget = JudgeBudget(redis, hold_s=settings.llm_timeout_s + 60)
        self._max_tokens = min(ANSWER_TOKENS, settings.llm_max_tokens)
        self.costs: dict[str, float] = {}  # example id -> USD the judge spent on it

    async def add(
        self, items: list[Item], found: list[logic.Findings], gens: list[GenerationConfig]
    ) -> None:
        """Judges the eligible items; `gens` are their jobs' generation configs (the model
        they default to, the spending cap)."""
        wanted = [
            i
            for i, item in enumerate(items)
            if "judge" in item.quality.checks and logic.eligible(found[i], item.quality)
        ]
        results = await asyncio.gather(*(self._one(items[i], gens[i]) for i in wanted))
        for i, finding in zip(wanted, results, strict=True):
            found[i]["judge"] = finding

    async def _one(self, item: Item, gen: GenerationConfig) -> Finding:
        ex = item.example
        model = item.quality.judge_model or gen.model or self._settings.llm_model
        backend = f"llm:{model}"
        cached = await self._redis.hget(_key(ex.job_id), ex.event_id)
        if cached is None:
            # Checked again here: work can reach the stream without the gateway's check.
            judging = gen.model_copy(update={"model": model})
            if refused := model_policy.refusal(self._settings, judging):
                return Finding(0.0, f"judge_{refused.reason}", failed=True, backend=backend)
            cached = await self._judged(item, model, judging)
            if cached is None:
                return Finding(0.0, "judge_budget_exhausted", failed=True, backend=backend)
        data = json.loads(cached or "{}")
        self.costs[ex.event_id] = float(data["cost"])
        return judged(str(data["answer"]), backend)

    async def _judged(self, item: Item, model: str, gen: GenerationConfig) -> bytes | None:
        """The stored record of the judge's answer, or None when the job's cap is spent."""
        ex = item.example
        cap = gen.max_cost_usd or self._settings.default_max_cost_usd
        async with self._slots:
            held = await self._budget.reserve(ex.job_id, ex.event_id, cap, self._usd(item, model))
            if held is None:
                return None
            try:
                answer, cost = await self._ask(item, model)
            except BaseException:
                await self._budget.release(ex.job_id, held)
                raise
        record = json.dumps({"answer": answer, "cost": cost})
        async with self._redis.pipeline(transaction=True) as pipe:
            # The first answer stored wins: a redelivery reads it instead of asking again.
            pipe.hsetnx(_key(ex.job_id), ex.event_id, record)
            self._budget.settle(pipe, ex.job_id, held, cost)
            pipe.hget(_key(ex.job_id), ex.event_id)
            stored: Any = (await pipe.execute())[-1]
        return bytes(stored)

    def _usd(self, item: Item, model: str) -> tuple[float, float]:
        """The reservation: the prompt's price, and the longest answer's."""
        per_1k = self._settings.llm_price_per_1k_tokens
        prompt = costs.cost_usd(model, costs.message_tokens(messages(item)), 0, per_1k)
        return prompt or 0.0, costs.cost_usd(model, 0, self._max_tokens, per_1k) or 0.0

    async def _ask(self, item: Item, model: str) -> tuple[str, float]:
        os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # offline price map
        import litellm

        base = self._settings.llm_api_base
        key = self._settings.llm_api_key
        response: Any = await litellm.acompletion(
            model=f"openai/{model}" if base and "/" not in model else model,
            messages=messages(item),
            api_base=base,
            api_key=key.get_secret_value() if key else ("unused" if base else None),
            timeout=self._settings.llm_timeout_s,
            temperature=0,
            max_tokens=self._max_tokens,
        )
        hidden = getattr(response, "_hidden_params", None) or {}
        text = str(response.choices[0].message.content or "") if response.choices else ""
        cost = float(hidden.get("response_cost") or 0.0)
        await self._count(model, getattr(response, "usage", None), cost)
        return text, cost

    async def _count(self, model: str, usage: Any, cost: float) -> None:
        """The call in its model's counters, beside the factory's (`/metrics`)."""
        tokens = {
            name: int(getattr(usage, name, 0) or 0)
            for name in ("prompt_tokens", "completion_tokens")
        }
        async with self._redis.pipeline(transaction=False) as pipe:
            totals.add_for_model(pipe, model, calls=1, spent_usd=cost, **tokens)
            await pipe.execute()
