"""Calls the LLM through litellm with bounded, jittered retries; a reply or an LLMFailure."""

from __future__ import annotations

import asyncio
import logging
import os
import random
from dataclasses import dataclass
from typing import Any

import openai

# Offline: litellm must read its bundled price map, and tiktoken its bundled encodings.
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
import litellm
import litellm.litellm_core_utils.default_encoding

from services.factory import logic
from services.factory.limits import CallLimiter
from shared.config import GenerationConfig
from shared.settings import Settings
from shared.templates import ChatMessage

log = logging.getLogger("datafactory.factory.llm")


class LLMFailure(Exception):
    def __init__(
        self, reason: str, detail: str, retryable: bool, retry_after: float | None
    ) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason, self.detail = reason, detail
        self.retryable, self.retry_after = retryable, retry_after


@dataclass(frozen=True)
class Reply:
    text: str
    usage: logic.Usage


class LLMClient:
    def __init__(self, settings: Settings, limiter: CallLimiter, policy: logic.RetryPolicy) -> None:
        secret = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
        self._base, self._timeout = settings.llm_api_base, settings.llm_timeout_s
        self._key = logic.api_key(secret, self._base)
        self._providers = frozenset(str(getattr(p, "value", p)) for p in litellm.provider_list)
        self._limiter, self._policy = limiter, policy
        self._rng = random.Random()
        self._unpriced: set[str] = set()

    async def complete(
        self, messages: list[ChatMessage], model: str, gen: GenerationConfig, job_id: str
    ) -> Reply:
        """One answer, retrying rate limits, server errors and timeouts; else LLMFailure."""
        for attempt in range(1, self._policy.attempts + 1):
            try:
                return await self._attempt(messages, model, gen, job_id)
            except openai.APIError as exc:
                failure = _failure(exc)
            if not failure.retryable or attempt == self._policy.attempts:
                raise failure
            wait = logic.backoff_s(attempt, failure.retry_after, self._rng.random(), self._policy)
            log.info(
                "%s on %s, attempt %d; retrying in %.2fs", failure.reason, model, attempt, wait
            )
            await asyncio.sleep(wait)
        raise AssertionError("unreachable: the last attempt returns or raises")

    async def _attempt(
        self, messages: list[ChatMessage], model: str, gen: GenerationConfig, job_id: str
    ) -> Reply:
        async with self._limiter.slot(job_id, gen.max_concurrent_llm):
            response = await litellm.acompletion(
                model=logic.route_model(model, self._base, self._providers),
                messages=messages,
                api_base=self._base,
                api_key=self._key,
                response_format={"type": "json_object"},
                temperature=gen.temperature,
                timeout=self._timeout,
                max_retries=0,  # retries are ours: bounded, jittered, honouring Retry-After
                drop_params=True,
            )
        return Reply(_text(response), self._usage(response, model))

    def _usage(self, response: Any, model: str) -> logic.Usage:
        usage = getattr(response, "usage", None)
        return logic.Usage(
            prompt_tokens=int(getattr(usage, "prompt_tokens", 0) or 0),
            completion_tokens=int(getattr(usage, "completion_tokens", 0) or 0),
            cost_usd=self._cost(response, model),
            simulated=getattr(response, "system_fingerprint", None) == logic.SIMULATOR_FINGERPRINT,
        )

    def _cost(self, response: Any, model: str) -> float:
        """Dollars from litellm's bundled price map, priced by the configured model name."""
        try:
            return float(litellm.completion_cost(completion_response=response, model=model))
        except Exception as exc:  # litellm raises bare Exceptions for models it cannot price
            if model not in self._unpriced:
                self._unpriced.add(model)
                log.warning("no price for model %s (%s); its cost counts as 0", model, exc)
            return 0.0


def _text(response: Any) -> str:
    choices = getattr(response, "choices", None) or []
    return str(choices[0].message.content or "") if choices else ""


def _failure(exc: openai.APIError) -> LLMFailure:
    headers = _headers(exc)
    detail = f"{type(exc).__name__}: {exc}"[:500]
    if isinstance(exc, openai.APITimeoutError):
        return LLMFailure("llm_timeout", detail, True, None)
    if isinstance(exc, openai.RateLimitError):
        return LLMFailure("llm_rate_limited", detail, True, logic.retry_after_s(headers))
    status = getattr(exc, "status_code", None)
    if isinstance(status, int) and 400 <= status < 500:
        return LLMFailure(f"llm_http_{status}", detail, False, None)
    return LLMFailure("llm_error", detail, True, logic.retry_after_s(headers))


def _headers(exc: openai.APIError) -> dict[str, str]:
    headers = getattr(exc, "litellm_response_headers", None)
    response = getattr(exc, "response", None)
    if headers is None and response is not None:
        headers = getattr(response, "headers", None)
    return {str(k): str(v) for k, v in dict(headers or {}).items()}


def quiet() -> None:
    """litellm prints help banners on every error and logs every call at INFO; the factory
    logs what matters itself."""
    litellm.suppress_debug_info = True
    for name in ("LiteLLM", "LiteLLM Router", "LiteLLM Proxy"):
        logging.getLogger(name).setLevel(logging.WARNING)
