"""LLM answers in Redis, keyed by model, prompt and parameters, shared by every replica."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline

from services.factory import keys
from services.factory.values import Reply, Usage
from shared.templates import ChatMessage

# A re-run within this time pays nothing; older answers make room.
CACHE_TTL_S = 30 * 24 * 3600
# Bumped when the stored shape or the meaning of a key changes.
_VERSION = 1


def cache_key(
    model: str, api_base: str | None, messages: list[ChatMessage], params: Mapping[str, Any]
) -> str:
    """Same model at the same server, same prompt and same parameters: same key."""
    identity = [_VERSION, model, api_base, messages, params]
    canonical = json.dumps(identity, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return keys.CACHE_PREFIX + hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class CachedAnswer:
    text: str
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float
    simulated: bool
    owner: str  # the work item that paid for the answer

    @classmethod
    def of(cls, text: str, usage: Usage, owner: str) -> CachedAnswer:
        tokens = usage.prompt_tokens, usage.completion_tokens
        return cls(text, *tokens, usage.cost_usd, usage.simulated, owner)

    def reply(self, owner: str) -> Reply:
        """The answer as `owner` sees it: free unless `owner` paid for it (a replay after a
        crash keeps its cost, so a disturbed run reports what an undisturbed one does)."""
        if owner == self.owner:
            usage = Usage(self.prompt_tokens, self.completion_tokens, self.cost_usd, self.simulated)
        else:
            usage = Usage(simulated=self.simulated)
        return Reply(self.text, usage, cached=True)


class ResponseCache:
    def __init__(self, redis: Redis, ttl_s: int = CACHE_TTL_S) -> None:
        self._redis, self._ttl_s = redis, ttl_s

    async def get(self, key: str) -> CachedAnswer | None:
        raw = await self._redis.get(key)
        if raw is None:
            return None
        try:
            return CachedAnswer(**json.loads(raw))
        except (TypeError, ValueError):
            return None  # written by an incompatible version: ask again

    def put(self, pipe: Pipeline, key: str, answer: CachedAnswer) -> None:
        pipe.set(key, json.dumps(asdict(answer)), ex=self._ttl_s)
