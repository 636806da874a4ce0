"""The factory's one door to the LLM: routes a call (litellm decides where a model goes), sends
it on the fast path or through litellm, reads its answer and usage, prices it, names its
errors. Both paths send the same request, read the same response shape (`replies`), price it
with the same function (litellm's price map, through `shared.runtime.costs`) and map errors
alike (`failures`), so an answer and its cost never depend on the path it took."""

from __future__ import annotations

import logging
import os
from typing import Any

import openai

# Offline: litellm must read its bundled price map, and tiktoken its bundled encodings.
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
import litellm
import litellm.litellm_core_utils.default_encoding

from services.factory import failures, logic, replies
from services.factory.cache import cache_key
from services.factory.openai_path import OPENAI_COMPATIBLE, OpenAIPath, fast_target
from services.factory.values import Call, LLMFailure, Usage
from shared import secrets
from shared.runtime import costs
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
        self._fast = OpenAIPath(self._key, self._timeout, settings.llm_concurrency)
        self._fast_on = settings.llm_fast_path
        self._targets: dict[str, tuple[str, str | None] | None] = {}
        self._batch_targets: dict[str, tuple[str, str] | None] = {}

    def cache_key(self, call: Call) -> str:
        params = self._params(call)
        return cache_key(self._route(call.model), self._base, call.messages, params)

    def cost_usd(
        self, model: str, prompt_tokens: int, completion_tokens: int, batch: bool = False
    ) -> float:
        """The map's price, else the operator's flat one (unpriced models are refused before
        they are called, so 0 is only a dry run's estimate of one)."""
        found = costs.cost_usd(model, prompt_tokens, completion_tokens, self._per_1k, batch)
        return found or 0.0

    def reservation_usd(self, call: Call, batch: bool = False) -> tuple[float, float]:
        """What the call's prompt and its expected answer cost: its budget reservation."""
        prompt = self.cost_usd(call.model, call.prompt_tokens, 0, batch)
        return prompt, self.cost_usd(call.model, 0, call.completion_tokens, batch)

    async def complete(self, call: Call) -> tuple[str, Usage]:
        """The answer text and its usage; LLMFailure for any API error."""
        try:
            body = await self._send(call)
        except openai.APIError as exc:
            raise self._failure(exc) from None
        return self.answer(body, call.model)

    def answer(self, body: dict[str, Any], model: str, batch: bool = False) -> tuple[str, Usage]:
        return replies.text(body), self.usage(body, model, batch)

    def batch_api(self, model: str) -> str | None:
        """Which provider batch API takes `model`'s lines: "openai" (any OpenAI-compatible
        server), "anthropic", or None when its provider has none we speak."""
        target = self._batch_target(model)
        return target[0] if target else None

    def _batch_target(self, model: str) -> tuple[str, str] | None:
        """(batch API, the provider's name of the model), resolved once per model."""
        if model not in self._batch_targets:
            self._batch_targets[model] = batch_target(self._route(model), self._base)
        return self._batch_targets[model]

    def batch_line(self, call: Call) -> dict[str, Any]:
        """The call as a line of its provider's batch, `custom_id` naming its work item."""
        api, model = self._batch_target(call.model) or ("openai", call.model)
        if api == "anthropic":
            return {"custom_id": call.owner, "params": self._anthropic_params(call, model)}
        body = {"model": model, "messages": call.messages, **self._params(call)}
        return {
            "custom_id": call.owner,
            "method": "POST",
            "url": "/v1/chat/completions",
            "body": body,
        }

    def _anthropic_params(self, call: Call, model: str) -> dict[str, Any]:
        """litellm's own translation of the request to Anthropic's Messages API. No JSON mode
        (litellm would turn it into a tool call): the prompt asks for JSON and the parser is
        tolerant, as for any provider without one."""
        params = self._params(call)
        wanted = {"temperature": params["temperature"], "max_tokens": params["max_tokens"]}
        config = litellm.AnthropicConfig()
        optional = config.map_openai_params(wanted, {}, model, drop_params=True)
        messages: Any = call.messages  # litellm types them as its own TypedDicts
        request: dict[str, Any] = config.transform_request(model, messages, optional, {}, {})
        return request

    async def mock(self, call: Call) -> str:
        """The whole litellm path with `mock_response`: no request leaves the process."""
        response = await litellm.acompletion(**self._request(call), mock_response=call.mock_answer)
        return replies.text(response.model_dump())

    def fast_target(self, model: str) -> tuple[str, str | None] | None:
        """Where the fast path sends `model`, or None when litellm must carry it."""
        if model not in self._targets:
            target = fast_target(self._route(model), self._base) if self._fast_on else None
            self._targets[model] = target if target and self._fast.ready(target[1]) else None
        return self._targets[model]

    async def _send(self, call: Call) -> dict[str, Any]:
        target = self.fast_target(call.model)
        if target is not None:
            return await self._fast.complete(*target, call.messages, self._params(call))
        response = await litellm.acompletion(
            **self._request(call), timeout=self._timeout, max_retries=0
        )
        body: dict[str, Any] = response.model_dump()
        return body

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

    def usage(self, body: dict[str, Any], model: str, batch: bool = False) -> Usage:
        """Tokens of a completion body, priced at the online or batch price."""
        got = replies.tokens(body)
        cost = costs.cost_usd(model, got.prompt, got.completion, self._per_1k, batch, got.cached)
        if cost is None and model not in self._unpriced:
            self._unpriced.add(model)
            log.warning("no price for model %s; its cost counts as 0", model)
        return Usage(got.prompt, got.completion, cost or 0.0, got.simulated, got.cached)

    def _failure(self, exc: openai.APIError) -> LLMFailure:
        failure = failures.failure(exc)
        failure.detail = secrets.redact(failure.detail, self._secrets)
        return failure

    def batch_client(self) -> openai.AsyncOpenAI:
        """The openai client of the deployment's OpenAI-compatible server, for its Batch API."""
        return self._fast.client(self._base)

    @property
    def api(self) -> tuple[str | None, str | None]:
        """The deployment's API base and key, for the provider batch APIs."""
        return self._base, self._key

    async def aclose(self) -> None:
        await self._fast.aclose()


def quiet() -> None:
    """litellm prints help banners on every error and logs every call at INFO; the factory
    logs what matters itself."""
    litellm.suppress_debug_info = True
    for name in ("LiteLLM", "LiteLLM Router", "LiteLLM Proxy"):
        logging.getLogger(name).setLevel(logging.WARNING)


def batch_target(route: str, api_base: str | None) -> tuple[str, str] | None:
    """Where litellm routes `route`, as a batch API we speak and the provider's model name.
    Independent of the fast path: the openai client speaks the Batch API either way."""
    try:
        model, provider, _, _ = litellm.get_llm_provider(route, api_base=api_base)
    except Exception:  # litellm raises its own error types for models it cannot route
        return None
    if provider in OPENAI_COMPATIBLE:
        return "openai", model
    return ("anthropic", model) if provider == "anthropic" else None
