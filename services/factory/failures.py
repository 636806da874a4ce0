"""Names an API error as an LLMFailure: retryable or not, the wait the server asked for.

Both paths raise the openai client's exception classes (litellm's subclass them), so one
mapping serves both and a failure reads the same whichever path the call took."""

from __future__ import annotations

import openai

from services.factory import logic
from services.factory.values import LLMFailure


def failure(exc: openai.APIError) -> LLMFailure:
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
