"""OpenAI-compatible `/v1/chat/completions` answering template prompts, with injected faults,
OpenAI's Batch API (`services.llm_sim.batches`) and Anthropic's Message Batches
(`services.llm_sim.message_batches`)."""

from __future__ import annotations

import asyncio
import hashlib
import json
import random
from typing import Annotated, Any

from fastapi import FastAPI, Header
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict

from services.llm_sim import answers, faults, responses
from services.llm_sim.batches import BatchAPI
from services.llm_sim.faults import SimConfig
from services.llm_sim.message_batches import MessageBatches
from services.llm_sim.stats import Stats
from shared.runtime.simulator import FINGERPRINT

MODELS = ("gpt-4o-mini", "gpt-4o", "gpt-4.1-mini")

__all__ = ["FINGERPRINT", "SimConfig", "Simulator", "create_app"]


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
    max_tokens: int | None = None


class Simulator:
    """One server's behaviour: a fault stream seeded once, answers seeded by their prompt."""

    def __init__(self, config: SimConfig) -> None:
        self.config, self.stats = config, Stats()
        self._faults = random.Random(config.seed)

    async def chat(
        self,
        request: ChatRequest,
        authorization: Annotated[str, Header()] = "",
        user_agent: Annotated[str, Header()] = "",
    ) -> JSONResponse:
        with self.stats.track() as record:
            self.stats.max_tokens[str(request.max_tokens).lower()] += 1
            self.stats.clients[user_agent.split("/", 1)[0]] += 1
            key = authorization.removeprefix("Bearer ")
            if self.config.api_key is not None and key != self.config.api_key:
                record("unauthorized")
                return responses.unauthorized(key)
            outcome = record(faults.draw(self.config, self._faults))
            if outcome == "rate_limited":
                return responses.rate_limited(self.config.retry_after_s)
            await asyncio.sleep(faults.latency_s(self.config, self._faults))
            if outcome == "server_error":
                return responses.server_error()
            if outcome == "timeout":
                await asyncio.sleep(self.config.timeout_s)
            texts = [m.text for m in request.messages]
            answer = self.answer(texts)
            if outcome == "malformed":
                answer = faults.malformed_answer(self._faults)
            cached = self.config.cached_prefix_tokens
            return responses.completion(request.model, texts, answer, cached)

    def answer(self, texts: list[str]) -> str:
        """The same prompt and seed always give the same answer."""
        seed = hashlib.blake2b("\x00".join([str(self.config.seed), *texts]).encode()).digest()
        prompt = answers.read_prompt(texts)
        found = answers.answer(prompt, random.Random(seed))
        return json.dumps(answers.with_copies(found) if self.config.planted_copies else found)

    async def models(self) -> dict[str, Any]:
        data = [{"id": m, "object": "model", "created": 0, "owned_by": FINGERPRINT} for m in MODELS]
        return {"object": "list", "data": data}

    async def snapshot(self) -> dict[str, Any]:
        return self.stats.snapshot()


def create_app(config: SimConfig) -> FastAPI:
    sim = Simulator(config)
    app = FastAPI(title="datafactory LLM simulator")
    app.add_api_route("/v1/chat/completions", sim.chat, methods=["POST"])
    app.add_api_route("/chat/completions", sim.chat, methods=["POST"])
    app.add_api_route("/v1/models", sim.models, methods=["GET"])
    app.add_api_route("/stats", sim.snapshot, methods=["GET"])
    BatchAPI(sim.answer, config).mount(app)
    MessageBatches(sim.answer, config).mount(app)
    return app
