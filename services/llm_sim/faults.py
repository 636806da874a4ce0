"""The simulator's knobs and the draw that decides how each request goes wrong, if at all."""

from __future__ import annotations

import random
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Outcome = Literal["ok", "rate_limited", "server_error", "timeout", "malformed", "unauthorized"]

_MALFORMED = (
    '{"pairs": [{"question": "What does the text say abo',
    "Sure! Here is the data you asked for, in a friendly format.",
    '```json\n{"result": "done", "notes": ["see above"]}\n```',
    "{'items': [{'text': 'single quotes are not JSON'}]}",
)


class SimConfig(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    latency_ms: float = Field(default=200.0, ge=0)
    jitter_ms: float = Field(default=50.0, ge=0)
    rate_429: float = Field(default=0.0, ge=0, le=1)
    rate_500: float = Field(default=0.0, ge=0, le=1)
    rate_timeout: float = Field(default=0.0, ge=0, le=1)
    rate_malformed: float = Field(default=0.0, ge=0, le=1)
    # A "timeout" request hangs this long before answering: past any sane client timeout.
    timeout_s: float = Field(default=120.0, ge=0)
    retry_after_s: float = Field(default=1.0, ge=0)
    # Prompt tokens reported as read from a prompt cache (`prompt_tokens_details.cached_tokens`),
    # as providers do for a repeated prefix.
    cached_prefix_tokens: int = Field(default=0, ge=0)
    # The Batch API: a batch completes this long after it is created; this share of its
    # lines fails with a 500 in the error file.
    batch_delay_s: float = Field(default=1.0, ge=0)
    batch_failure_rate: float = Field(default=0.0, ge=0, le=1)
    # How a due batch ends: "completed", or "expired" / "cancelled" with no results.
    batch_end: Literal["completed", "expired", "cancelled"] = "completed"
    # Creating a batch answers this late, the batch already stored: a client that dies while
    # it waits has a batch at the provider that it never recorded.
    batch_create_delay_s: float = Field(default=0.0, ge=0)
    # When set, other keys get a 401 that quotes them back, as some OpenAI-compatible servers do.
    api_key: str | None = None
    # Every Q&A answer's first pair comes three times: as it is, copied exactly, and with one
    # word changed, as a model repeating itself does (for measuring duplicate removal).
    planted_copies: bool = False
    seed: int = 0

    @model_validator(mode="after")
    def _rates_fit(self) -> SimConfig:
        if self.rate_429 + self.rate_500 + self.rate_timeout + self.rate_malformed > 1:
            raise ValueError("the fault rates add up to more than 1")
        return self


def draw(config: SimConfig, rng: random.Random) -> Outcome:
    roll = rng.random()
    faults: list[tuple[Outcome, float]] = [
        ("rate_limited", config.rate_429),
        ("server_error", config.rate_500),
        ("timeout", config.rate_timeout),
        ("malformed", config.rate_malformed),
    ]
    for outcome, rate in faults:
        if roll < rate:
            return outcome
        roll -= rate
    return "ok"


def latency_s(config: SimConfig, rng: random.Random) -> float:
    jitter = rng.uniform(-config.jitter_ms, config.jitter_ms) if config.jitter_ms else 0.0
    return max(0.0, config.latency_ms + jitter) / 1000


def malformed_answer(rng: random.Random) -> str:
    return rng.choice(_MALFORMED)
