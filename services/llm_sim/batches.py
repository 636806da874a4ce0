"""OpenAI's Batch API in memory: `/v1/files` (upload, content) and `/v1/batches` (create,
retrieve, list). A batch completes `batch_delay_s` after it is created (its status is computed
on each read, so polling sees it move); `batch_failure_rate` of its lines fail with a 500 into
the error file, the rest are answered like `/v1/chat/completions` would be."""

from __future__ import annotations

import asyncio
import json
import random
import time
import uuid
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, HTTPException, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel

from services.llm_sim import responses
from services.llm_sim.faults import SimConfig

Answer = Callable[[list[str]], str]


class BatchRequest(BaseModel):
    input_file_id: str
    endpoint: str
    completion_window: str = "24h"
    metadata: dict[str, str] | None = None


class BatchAPI:
    def __init__(self, answer: Answer, config: SimConfig) -> None:
        self._answer, self._delay_s = answer, config.batch_delay_s
        self._failure_rate, self._end = config.batch_failure_rate, config.batch_end
        self._create_delay_s = config.batch_create_delay_s
        self._rng = random.Random(config.seed)
        self.files: dict[str, bytes] = {}
        self.batches: dict[str, dict[str, Any]] = {}

    async def upload(self, file: UploadFile) -> dict[str, Any]:
        return self._file(await file.read(), file.filename or "batch.jsonl")

    async def content(self, file_id: str) -> Response:
        if file_id not in self.files:
            raise HTTPException(404, "no such file")
        return Response(self.files[file_id], media_type="application/jsonl")

    async def create(self, request: BatchRequest) -> dict[str, Any]:
        if request.input_file_id not in self.files:
            raise HTTPException(404, "no such file")
        batch_id = f"batch_{uuid.uuid4().hex[:16]}"
        lines = self.files[request.input_file_id].decode().splitlines()
        now = int(time.time())
        self.batches[batch_id] = {
            "id": batch_id, "object": "batch", "endpoint": request.endpoint, "errors": None,
            "input_file_id": request.input_file_id, "completion_window": "24h",
            "status": "in_progress", "created_at": now, "in_progress_at": now,
            "expires_at": now + 86400, "metadata": request.metadata,
            "request_counts": {"total": len(lines), "completed": 0, "failed": 0},
            "_due": time.monotonic() + self._delay_s, "_lines": lines,
        }  # fmt: skip
        await asyncio.sleep(self._create_delay_s)
        return await self.retrieve(batch_id)

    async def retrieve(self, batch_id: str) -> dict[str, Any]:
        batch = self.batches.get(batch_id)
        if batch is None:
            raise HTTPException(404, "no such batch")
        if batch["status"] == "in_progress" and time.monotonic() >= batch["_due"]:
            if self._end == "completed":
                self._complete(batch)
            else:  # the provider gave up on it: no output, no error file
                batch.update(status=self._end, **{f"{self._end}_at": int(time.time())})
        return {k: v for k, v in batch.items() if not k.startswith("_")}

    async def list(self, limit: int = 100) -> dict[str, Any]:
        data = [await self.retrieve(i) for i in reversed(self.batches)][:limit]
        return {"object": "list", "data": data, "has_more": False}

    def _complete(self, batch: dict[str, Any]) -> None:
        done: list[dict[str, Any]] = []
        failed: list[dict[str, Any]] = []
        for line in batch["_lines"]:
            request = json.loads(line)
            ok = self._rng.random() >= self._failure_rate
            (done if ok else failed).append(self._result(request, ok))
        batch["request_counts"].update(completed=len(done), failed=len(failed))
        batch["output_file_id"] = self._file(_jsonl(done), "output.jsonl")["id"] if done else None
        batch["error_file_id"] = (
            self._file(_jsonl(failed), "errors.jsonl")["id"] if failed else None
        )
        batch.update(status="completed", completed_at=int(time.time()))

    def _result(self, request: dict[str, Any], ok: bool) -> dict[str, Any]:
        body = request["body"]
        texts = [str(m.get("content") or "") for m in body["messages"]]
        if ok:
            answer = responses.completion_body(body["model"], texts, self._answer(texts))
            response = {"status_code": 200, "request_id": uuid.uuid4().hex, "body": answer}
        else:
            error = {
                "message": "The server had an error processing this request.",
                "type": "server_error",
            }
            response = {
                "status_code": 500,
                "request_id": uuid.uuid4().hex,
                "body": {"error": error},
            }
        return {"id": f"batch_req_{uuid.uuid4().hex[:12]}", "custom_id": request["custom_id"],
                "response": response, "error": None}  # fmt: skip

    def _file(self, content: bytes, name: str) -> dict[str, Any]:
        file_id = f"file-{uuid.uuid4().hex[:16]}"
        self.files[file_id] = content
        return {"id": file_id, "object": "file", "bytes": len(content), "filename": name,
                "purpose": "batch", "created_at": int(time.time())}  # fmt: skip

    def mount(self, app: FastAPI) -> None:
        app.add_api_route("/v1/files", self.upload, methods=["POST"])
        app.add_api_route("/v1/files/{file_id}/content", self.content, methods=["GET"])
        app.add_api_route("/v1/batches", self.create, methods=["POST"])
        app.add_api_route("/v1/batches", self.list, methods=["GET"])
        app.add_api_route("/v1/batches/{batch_id}", self.retrieve, methods=["GET"])


def _jsonl(rows: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(r) + "\n" for r in rows).encode()
