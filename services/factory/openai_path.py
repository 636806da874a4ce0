"""The fast path: OpenAI-compatible providers called with the official openai async client.

litellm still decides where a model goes (`fast_target` asks it for the provider and base
URL); when the answer is an OpenAI-compatible endpoint, the request skips litellm's per-call
machinery (logging, cost callbacks, response objects: most of its CPU) and goes out on one
pooled HTTP client per replica (httpx2, the transport this openai client is built on). The
body comes back as the provider's JSON, unparsed into models, so both paths hand the same
shape to `replies`."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any

import httpx2
import litellm
import openai

# litellm's names for providers that speak OpenAI's chat API on an OpenAI-style base URL.
OPENAI_COMPATIBLE = frozenset({"openai", "hosted_vllm", "custom_openai", "lm_studio"})
_USER_AGENT = "datafactory-factory"


def fast_target(route: str, api_base: str | None) -> tuple[str, str | None] | None:
    """(the provider's model name, base URL or None for OpenAI's) when `route` resolves to an
    OpenAI-compatible provider; None sends the call through litellm."""
    try:
        model, provider, _, base = litellm.get_llm_provider(route, api_base=api_base)
    except Exception:  # litellm raises its own error types for models it cannot route
        return None
    if provider not in OPENAI_COMPATIBLE:
        return None
    # litellm reads OpenAI's base URL from either variable; the openai client only the first.
    env = os.environ.get("OPENAI_BASE_URL") or os.environ.get("OPENAI_API_BASE")
    return model, api_base or base or env


class OpenAIPath:
    """One AsyncOpenAI client per base URL, sharing one connection pool."""

    def __init__(self, api_key: str | None, timeout_s: float, connections: int) -> None:
        self._key, self._timeout = api_key, timeout_s
        limits = httpx2.Limits(max_connections=connections, max_keepalive_connections=connections)
        self._http = httpx2.AsyncClient(limits=limits, timeout=timeout_s)
        self._clients: dict[str | None, openai.AsyncOpenAI] = {}

    def ready(self, base: str | None) -> bool:
        """A call to OpenAI itself needs a key (configured, or OPENAI_API_KEY); without one
        litellm's path reports the provider's refusal as it always did."""
        return bool(base or self._key or os.environ.get("OPENAI_API_KEY"))

    async def complete(
        self, model: str, base: str | None, messages: Any, params: Mapping[str, Any]
    ) -> dict[str, Any]:
        """The completion body; the client's APIError subclasses for any failure. Posted as
        plain JSON: `chat.completions.create` walks every message through the SDK's TypedDict
        transforms and builds response models, over a millisecond of CPU per call."""
        request = {"model": model, "messages": messages, **params}
        raw = await self.client(base).post("/chat/completions", body=request, cast_to=bytes)
        body: dict[str, Any] = json.loads(raw)
        return body

    def client(self, base: str | None) -> openai.AsyncOpenAI:
        client = self._clients.get(base)
        if client is None:
            client = self._clients[base] = openai.AsyncOpenAI(
                api_key=self._key or os.environ.get("OPENAI_API_KEY"),
                base_url=base,
                timeout=self._timeout,
                max_retries=0,  # retries are ours: bounded, jittered, honouring Retry-After
                http_client=self._http,
                default_headers={"User-Agent": _USER_AGENT},
            )
        return client

    async def aclose(self) -> None:
        await self._http.aclose()
