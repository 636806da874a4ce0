"""The factory's one door to litellm: sends a call, reads its answer and usage, names its errors."""

from __future__ import annotations

import logging
import os
from typing import Any

import openai

# Offline: litellm must read its bundled price map, and tiktoken its bundled encodings.
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
import litellm
import litellm.litellm_core_utils.default_encoding

from services.factory import logic
from services.factory.cache import cache_key
from services.factory.values import Call, LLMFailure, Usage
from shared import costs, secrets, simulator
from shared.settings import Settings

log = logging.getLogger("datafactory.factory.llm")


class LiteLLM:
    def __init__(self, settings: Settings) -> None:
        secret = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
        self._base, self._timeout = settings.llm_api_base, settings.llm_timeout_s
        self._key = logic.api_key(secret, self._base)
        self._secrets = secrets.of_settings(settings)
        self._max_tokens, self._per_1k = settings.llm_max_tokens, settings.llm_price_per_1k_tokens
        self._providers = frozenset(str(getattr(p, "value", p)) for p in litellm.provider_list)
        self._unpriced: set[str] = set()

    def cache_key(self, call: Call) -> str:
        params = self._params(call)
        return cache_key(self._route(call.model), self._base, call.messages, params)

    def cost_usd(self, model: str, prompt_tokens: int, completion_tokens: int) -> float:
        """The map's price, else the operator's flat one (unpriced models are refused before
        they are called, so 0 is only a dry run's estimate of one)."""
        return costs.cost_usd(model, prompt_tokens, completion_tokens, self._per_1k) or 0.0

    async def complete(self, call: Call) -> tuple[str, Usage]:
        """The answer text and its usage; LLMFailure for any API error."""
        try:
            response = await litellm.acompletion(
                **self._request(call),
                timeout=self._timeout,
                max_retries=0,  # retries are ours: bounded, jittered, honouring Retry-After
            )
        except openai.APIError as exc:
            raise self._failure(exc) from None
        return _text(response), self._usage(response, call.model)

    async def mock(self, call: Call) -> str:
        """The whole litellm path with `mock_response`: no request leaves the process."""
        response = await litellm.acompletion(**self._request(call), mock_response=call.mock_answer)
        return _text(response)

    def _request(self, call: Call) -> dict[str, Any]:
        return {
            "model": self._route(call.model),
            "messages": call.messages,
            "api_base": self._base,
            "api_key": self._key,
            "drop_params": True,  # providers without JSON mode get the tolerant parser only
            **self._params(call),
        }

    def _params(self, call: Call) -> dict[str, Any]:
        """The parameters that shape an answer: part of the request and of its cache key."""
        return {
            "response_format": {"type": "json_object"},
            "temperature": call.gen.temperature,
            "max_tokens": logic.max_tokens(call.completion_tokens, self._max_tokens),
        }

    def _route(self, model: str) -> str:
        return logic.route_model(model, self._base, self._providers)

    def _usage(self, response: Any, model: str) -> Usage:
        usage = getattr(response, "usage", None)
        prompt = int(getattr(usage, "prompt_tokens", 0) or 0)
        completion = int(getattr(usage, "completion_tokens", 0) or 0)
        fingerprint = getattr(response, "system_fingerprint", None)
        cost = self._cost(response, model, prompt, completion)
        return Usage(prompt, completion, cost, fingerprint == simulator.FINGERPRINT)

    def _cost(self, response: Any, model: str, prompt: int, completion: int) -> float:
        """litellm prices every response it returns; reusing that price saves a second lookup.
        It cannot price a model it knows only by the server's name: then the configured one."""
        hidden = getattr(response, "_hidden_params", None) or {}
        cost = hidden.get("response_cost")
        if not cost:  # unknown to litellm, or listed at 0: the operator's price if set
            cost = costs.cost_usd(model, prompt, completion, self._per_1k)
        if cost is None and model not in self._unpriced:
            self._unpriced.add(model)
            log.warning("no price for model %s; its cost counts as 0", model)
        return float(cost or 0.0)

    def _failure(self, exc: openai.APIError) -> LLMFailure:
        failure = _failure(exc)
        failure.detail = secrets.redact(failure.detail, self._secrets)
        return failure


def _text(response: Any) -> str:
    choices = getattr(response, "choices", None) or []
    return str(choices[0].message.content or "") if choices else ""


def _failure(exc: openai.APIError) -> LLMFailure:
    headers = _headers(exc)
    detail = f"{type(exc).__name__}: {exc}"[:500]
    if isinstance(exc, openai.APITimeoutError):
        return LLMFailure("llm_timeout", detail, True)
    if isinstance(exc, openai.RateLimitError):
        return LLMFailure("llm_rate_limited", detail, True, logic.retry_after_s(headers))
    status = getattr(exc, "status_code", None)
    if isinstance(status, int) and 400 <= status < 500:
        return LLMFailure(f"llm_http_{status}", detail)
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
