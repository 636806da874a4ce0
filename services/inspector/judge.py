"""The optional LLM judge through litellm: one call per example that passes the other checks,
its verdict and cost kept in Redis so that a redelivered example is not judged twice."""

from __future__ import annotations

import asyncio
import json
import os
from typing import Any

from redis.asyncio import Redis

from services.inspector import logic
from services.inspector.checks.base import Finding, Item
from services.inspector.checks.judge import judged, messages
from shared import totals
from shared.settings import Settings

CONCURRENCY = 8


def _key(job_id: str) -> str:
    return f"df:inspect:{{job:{job_id}}}:judge"


class Judge:
    def __init__(self, settings: Settings, redis: Redis) -> None:
        self._settings, self._redis = settings, redis
        self._slots = asyncio.Semaphore(CONCURRENCY)
        self.costs: dict[str, float] = {}  # example id -> USD the judge spent on it

    async def add(
        self, items: list[Item], found: list[logic.Findings], models: list[str | None]
    ) -> None:
        wanted = [
            i
            for i, item in enumerate(items)
            if "judge" in item.quality.checks and logic.eligible(found[i], item.quality)
        ]
        model_of = [
            items[i].quality.judge_model or models[i] or self._settings.llm_model for i in wanted
        ]
        results = await asyncio.gather(
            *(self._one(items[i], m) for i, m in zip(wanted, model_of, strict=True))
        )
        for i, finding in zip(wanted, results, strict=True):
            found[i]["judge"] = finding

    async def _one(self, item: Item, model: str) -> Finding:
        ex = item.example
        cached = await self._redis.hget(_key(ex.job_id), ex.event_id)
        if cached is None:
            async with self._slots:
                answer, cost = await self._ask(item, model)
            record = json.dumps({"answer": answer, "cost": cost})
            # The first answer stored wins: a redelivery reads it instead of asking again.
            await self._redis.hsetnx(_key(ex.job_id), ex.event_id, record)
            cached = await self._redis.hget(_key(ex.job_id), ex.event_id)
        data = json.loads(cached or "{}")
        self.costs[ex.event_id] = float(data["cost"])
        return judged(str(data["answer"]), f"llm:{model}")

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
