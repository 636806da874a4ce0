"""Reads a chat completion body (the OpenAI wire shape, whichever path fetched it): the answer
text and its token usage, prompt-cache reads included."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from shared.runtime import simulator


@dataclass(frozen=True)
class Tokens:
    prompt: int
    completion: int
    cached: int  # of `prompt`, served from the provider's prompt cache at a discount
    simulated: bool


def text(body: Mapping[str, Any]) -> str:
    choices = body.get("choices") or []
    if not choices:
        return ""
    message = choices[0].get("message") or {}
    return str(message.get("content") or "")


def tokens(body: Mapping[str, Any]) -> Tokens:
    usage = body.get("usage") or {}
    details = usage.get("prompt_tokens_details") or {}
    return Tokens(
        prompt=int(usage.get("prompt_tokens") or 0),
        completion=int(usage.get("completion_tokens") or 0),
        cached=int(details.get("cached_tokens") or 0),
        simulated=body.get("system_fingerprint") == simulator.FINGERPRINT,
    )
