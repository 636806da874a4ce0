"""OpenAI-compatible `/v1/chat/completions` answering template prompts, with injected faults."""

from __future__ import annotations

import asyncio
import hashlib
import json
import math
import random
import time
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict

from services.llm_sim import answers, faults
from services.llm_sim.faults import SimConfig
from services.llm_sim.stats import Stats
from shared.tokens import cl100k

FINGERPRINT = "datafactory-llm-sim"
MODELS = ("gpt-4o-mini", "gpt-4o", "gpt-4.1-mini")

__all__ = ["FINGERPRINT", "SimConfig", "create_app"]


class Message(BaseModel):
    model_config = ConfigDict(extra="allow")

    role: str
    content: str | list[dict[str, Any]] | None = None

    @property
    def text(self) -> str:
        if isinstance(self.content, list):
            return "".join(str(part.get("text", "")) for part in self.content)
        return self.content or ""


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="allow")

    model: str
    messages: list[Message]


def create_app(config: SimConfig) -> FastAPI:
    app = FastAPI(title="datafactory LLM simulator")
    rng = random.Random(config.seed)
    stats = Stats()

    @app.post("/v1/chat/completions")
    @app.post("/chat/completions")
    async def chat(request: ChatRequest) -> JSONResponse:
        with stats.track() as record:
            outcome = record(faults.draw(config, rng))
            if outcome == "rate_limited":
                return _rate_limited(config.retry_after_s)
            await asyncio.sleep(faults.latency_s(config, rng))
            if outcome == "server_error":
                return _error(
                    500, "The server had an error processing your request.", "server_error"
                )
            if outcome == "timeout":
                await asyncio.sleep(config.timeout_s)
            texts = [m.text for m in request.messages]
            content = (
                faults.malformed_answer(rng)
                if outcome == "malformed"
                else _answer(texts, config.seed)
            )
            return JSONResponse(_completion(request.model, texts, content))

    @app.get("/v1/models")
    async def models() -> dict[str, Any]:
        data = [{"id": m, "object": "model", "created": 0, "owned_by": FINGERPRINT} for m in MODELS]
        return {"object": "list", "data": data}

    @app.get("/stats")
    async def get_stats() -> dict[str, Any]:
        return stats.snapshot()

    return app


def _answer(texts: list[str], seed: int) -> str:
    """The same prompt and seed always give the same answer."""
    digest = hashlib.blake2b("\x00".join([str(seed), *texts]).encode(), digest_size=8).digest()
    prompt = answers.read_prompt(texts)
    return json.dumps(answers.answer(prompt, random.Random(digest)))


def _completion(model: str, texts: list[str], content: str) -> dict[str, Any]:
    encoding = cl100k()
    # OpenAI's chat accounting: 3 tokens of framing per message, 3 to prime the reply.
    prompt_tokens = sum(len(encoding.encode_ordinary(t)) + 3 for t in texts) + 3
    completion_tokens = len(encoding.encode_ordinary(content))
    return {
        "id": "chatcmpl-sim-" + hashlib.blake2b(content.encode(), digest_size=8).hexdigest(),
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "system_fingerprint": FINGERPRINT,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
                "logprobs": None,
            }
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


def _error(
    status: int, message: str, kind: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    body = {"error": {"message": message, "type": kind, "param": None, "code": kind}}
    return JSONResponse(body, status_code=status, headers=headers)


def _rate_limited(retry_after_s: float) -> JSONResponse:
    headers = {
        "retry-after": str(math.ceil(retry_after_s)),
        "retry-after-ms": str(round(retry_after_s * 1000)),
    }
    return _error(429, "Rate limit reached; please retry later.", "rate_limit_exceeded", headers)
