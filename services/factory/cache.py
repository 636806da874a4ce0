"""LLM answers in Redis, keyed by model, prompt and parameters, shared by every replica."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from services.factory import keys
from services.factory.values import Reply, Usage
from shared.contract.templates import ChatMessage

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
    cached_tokens: int = 0

    @classmethod
    def of(cls, text: str, usage: Usage, owner: str) -> CachedAnswer:
        tokens = usage.prompt_tokens, usage.completion_tokens
        return cls(text, *tokens, usage.cost_usd, usage.simulated, owner, usage.cached_tokens)

    @classmethod
    def decode(cls, raw: bytes) -> CachedAnswer | None:
        """None for an answer written by an incompatible version: ask again."""
        try:
            return cls(**json.loads(raw))
        except (TypeError, ValueError):
            return None

    def reply(self, owner: str) -> Reply:
        """The answer as `owner` sees it: free unless `owner` paid for it (a replay after a
        crash keeps its cost, so a disturbed run reports what an undisturbed one does)."""
        if owner == self.owner:
            tokens = self.prompt_tokens, self.completion_tokens
            usage = Usage(*tokens, self.cost_usd, self.simulated, self.cached_tokens)
        else:
            usage = Usage(simulated=self.simulated)
        return Reply(self.text, usage, cached=True)
