"""Values passed between the factory's parts: a call to the LLM, its reply, what it cost."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property

from services.factory.logic import repair
from shared.contract.config import GenerationConfig
from shared.contract.templates import ChatMessage, TemplateOutputError
from shared.runtime import costs


@dataclass(frozen=True)
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    simulated: bool = False
    cached_tokens: int = 0  # of prompt_tokens, read from the provider's prompt cache

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            self.prompt_tokens + other.prompt_tokens,
            self.completion_tokens + other.completion_tokens,
            self.cost_usd + other.cost_usd,
            self.simulated or other.simulated,
            self.cached_tokens + other.cached_tokens,
        )

    def shares(self, n: int) -> list[Usage]:
        """`n` even shares whose token counts add up exactly to this usage's."""
        prompt, completion = split(self.prompt_tokens, n), split(self.completion_tokens, n)
        cost = self.cost_usd / n
        return [Usage(p, c, cost, self.simulated) for p, c in zip(prompt, completion, strict=True)]


@dataclass(frozen=True)
class Call:
    """One question to the LLM on behalf of a work item."""

    job_id: str
    owner: str  # the work item that pays; its own replays after a crash are not savings
    model: str  # as configured: prices and cache keys use it
    gen: GenerationConfig
    messages: list[ChatMessage]
    completion_tokens: int  # expected answer size: budget reservations, TPM, dry-run costs
    mock_answer: str = ""  # what a dry run answers
    repair: bool = False

    @cached_property
    def prompt_tokens(self) -> int:
        """Counted once per call: reservations, TPM and dry-run estimates all need it."""
        return costs.message_tokens(self.messages)

    def repaired(self, answer: str, error: TemplateOutputError) -> Call:
        return replace(self, messages=repair(self.messages, answer, error), repair=True)


@dataclass(frozen=True)
class Reply:
    text: str
    usage: Usage  # what this work item pays: zero for another item's cached answer
    retries: int = 0
    cached: bool = False


class LLMFailure(Exception):
    """A call that got no usable answer; `outcome` and `reason` become the item's outcome."""

    def __init__(
        self,
        reason: str,
        detail: str,
        retryable: bool = False,
        retry_after: float | None = None,
        outcome: str = "failed",
        sent: bool = True,  # False: refused before any request went out
    ) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason, self.detail, self.outcome = reason, detail, outcome
        self.retryable, self.retry_after, self.sent = retryable, retry_after, sent
        self.calls = self.retries = 0  # set by the caller once it gives up


@dataclass
class Spend:
    """What one work item's calls took, summed over repairs."""

    usage: Usage = Usage()
    calls: int = 0
    retries: int = 0
    cache_hits: int = 0

    def add(self, reply: Reply) -> None:
        self.usage += reply.usage
        self.retries += reply.retries
        self.calls += 0 if reply.cached else 1 + reply.retries
        self.cache_hits += int(reply.cached)

    def failed(self, failure: LLMFailure) -> None:
        self.calls += failure.calls
        self.retries += failure.retries

    def __str__(self) -> str:
        return f"{self.calls} calls, {self.retries} retries, {self.cache_hits} cache hits"


def split(total: int, n: int) -> list[int]:
    quotient, remainder = divmod(total, n)
    return [quotient + (1 if i < remainder else 0) for i in range(n)]
