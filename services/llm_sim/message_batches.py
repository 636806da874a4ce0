"""Anthropic's Message Batches in memory: `/v1/messages/batches` (create, retrieve, list) and
`/v1/messages/batches/{id}/results`. A batch ends `batch_delay_s` after it is created (its
status is computed on each read); `batch_failure_rate` of its requests are `errored`, the rest
`succeeded` with an Anthropic message; with `batch_end` expired or cancelled, every request
ends that way instead, as Anthropic reports a batch it gave up on."""

from __future__ import annotations

import json
import random
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI, HTTPException
from fastapi.responses import Response
from pydantic import BaseModel

from services.llm_sim.batches import Answer
from services.llm_sim.faults import SimConfig
from services.llm_sim.responses import completion_body

_ENDS = {"expired": "expired", "cancelled": "canceled"}


class MessageBatchRequest(BaseModel):
    requests: list[dict[str, Any]]


def _iso(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).isoformat().replace("+00:00", "Z")


def _texts(params: dict[str, Any]) -> list[str]:
    """The prompt's texts in order, the system prompt first, as the OpenAI path sees them."""
    parts = [params.get("system") or [], *(m["content"] for m in params["messages"])]
    return ["".join(p["text"] for p in part) if isinstance(part, list) else part for part in parts]


class MessageBatches:
    def __init__(self, answer: Answer, config: SimConfig) -> None:
        self._answer, self._config = answer, config
        self._rng = random.Random(config.seed)
        self.batches: dict[str, dict[str, Any]] = {}

    async def create(self, request: MessageBatchRequest) -> dict[str, Any]:
        batch_id = f"msgbatch_{uuid.uuid4().hex[:20]}"
        now = time.time()
        self.batches[batch_id] = {
            "id": batch_id, "type": "message_batch", "processing_status": "in_progress",
            "request_counts": {"processing": len(request.requests), "succeeded": 0,
                               "errored": 0, "canceled": 0, "expired": 0},
            "created_at": _iso(now), "expires_at": _iso(now + 86400), "ended_at": None,
            "cancel_initiated_at": None, "archived_at": None, "results_url": None,
            "_due": time.monotonic() + self._config.batch_delay_s, "_requests": request.requests,
        }  # fmt: skip
        return await self.retrieve(batch_id)

    async def retrieve(self, batch_id: str) -> dict[str, Any]:
        batch = self.batches.get(batch_id)
        if batch is None:
            raise HTTPException(404, "no such batch")
        if batch["processing_status"] == "in_progress" and time.monotonic() >= batch["_due"]:
            self._end(batch)
        return {k: v for k, v in batch.items() if not k.startswith("_")}

    async def list(self) -> dict[str, Any]:
        data = [await self.retrieve(i) for i in reversed(self.batches)]
        return {"data": data, "has_more": False, "first_id": None, "last_id": None}

    async def results(self, batch_id: str) -> Response:
        batch = self.batches.get(batch_id)
        if batch is None or "_results" not in batch:
            raise HTTPException(404, "no results yet")
        return Response(batch["_results"], media_type="application/x-jsonl")

    def _end(self, batch: dict[str, Any]) -> None:
        rows = [self._result(r) for r in batch.pop("_requests")]
        counts = batch["request_counts"]
        counts["processing"] = 0
        for row in rows:
            counts[row["result"]["type"]] += 1
        batch["_results"] = "".join(json.dumps(r) + "\n" for r in rows).encode()
        batch.update(processing_status="ended", ended_at=_iso(time.time()))
        batch["results_url"] = f"/v1/messages/batches/{batch['id']}/results"

    def _result(self, request: dict[str, Any]) -> dict[str, Any]:
        row: dict[str, Any] = {"custom_id": request["custom_id"]}
        if self._config.batch_end in _ENDS:
            return row | {"result": {"type": _ENDS[self._config.batch_end]}}
        if self._rng.random() < self._config.batch_failure_rate:
            error = {"type": "api_error", "message": "Internal server error"}
            return row | {"result": {"type": "errored", "error": {"type": "error", "error": error}}}
        params = request["params"]
        texts = _texts(params)
        body = completion_body(params["model"], texts, self._answer(texts))
        usage = body["usage"]
        message = {
            "id": f"msg_{uuid.uuid4().hex[:20]}", "type": "message", "role": "assistant",
            "model": params["model"], "stop_reason": "end_turn", "stop_sequence": None,
            "content": [{"type": "text", "text": body["choices"][0]["message"]["content"]}],
            "usage": {"input_tokens": usage["prompt_tokens"],
                      "output_tokens": usage["completion_tokens"]},
        }  # fmt: skip
        return row | {"result": {"type": "succeeded", "message": message}}

    def mount(self, app: FastAPI) -> None:
        app.add_api_route("/v1/messages/batches", self.create, methods=["POST"])
        app.add_api_route("/v1/messages/batches", self.list, methods=["GET"])
        app.add_api_route("/v1/messages/batches/{batch_id}", self.retrieve, methods=["GET"])
        app.add_api_route("/v1/messages/batches/{batch_id}/results", self.results, methods=["GET"])
