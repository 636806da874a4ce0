"""OpenAI-shaped bodies: a chat completion with token usage, and the error envelope."""

from __future__ import annotations

import hashlib
import math
import time
from typing import Any

from fastapi.responses import JSONResponse

from shared.contract.tokens import cl100k
from shared.runtime.simulator import FINGERPRINT


def completion(model: str, texts: list[str], content: str, cached: int = 0) -> JSONResponse:
    return JSONResponse(completion_body(model, texts, content, cached))


def completion_body(model: str, texts: list[str], content: str, cached: int = 0) -> dict[str, Any]:
    encoding = cl100k()
    # OpenAI's chat accounting: 3 tokens of framing per message, 3 to prime the reply.
    prompt_tokens = sum(len(encoding.encode_ordinary(t)) + 3 for t in texts) + 3
    completion_tokens = len(encoding.encode_ordinary(content))
    message = {"role": "assistant", "content": content}
    body: dict[str, Any] = {
        "id": "chatcmpl-sim-" + hashlib.blake2b(content.encode(), digest_size=8).hexdigest(),
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "system_fingerprint": FINGERPRINT,
        "choices": [{"index": 0, "message": message, "finish_reason": "stop", "logprobs": None}],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
            "prompt_tokens_details": {"cached_tokens": min(cached, prompt_tokens)},
        },
    }
    return body


def error(
    status: int, message: str, kind: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    body = {"error": {"message": message, "type": kind, "param": None, "code": kind}}
    return JSONResponse(body, status_code=status, headers=headers)


def server_error() -> JSONResponse:
    return error(500, "The server had an error while processing your request.", "server_error")


def rate_limited(retry_after_s: float) -> JSONResponse:
    headers = {
        "retry-after": str(math.ceil(retry_after_s)),
        "retry-after-ms": str(round(retry_after_s * 1000)),
    }
    return error(429, "Rate limit reached; please retry later.", "rate_limit_exceeded", headers)


def unauthorized(key: str) -> JSONResponse:
    return error(401, f"Incorrect API key provided: {key}.", "invalid_api_key")
