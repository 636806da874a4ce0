"""Anthropic's Message Batches: created with a POST to its API (litellm cannot create one yet),
then polled and read through litellm. litellm maps the batch's status to OpenAI's; each result
row becomes a row of OpenAI's batch output (a message as a chat completion body, with its
usage), so a line's answer goes through the same parsing and pricing as any other.

A message batch carries no metadata, so `find` cannot look one up by our group: a replica
killed between creating a batch and recording its id leaves that batch unused, and the
chunks' next delivery submits them again (OpenAI's batches are found by their metadata)."""

from __future__ import annotations

import os
from typing import Any

import httpx
import litellm

from services.factory.batch_api import Finished, rows, until_ended

ANTHROPIC_BASE = "https://api.anthropic.com"
_VERSION = "2023-06-01"


class MessageBatches:
    def __init__(
        self, api_base: str | None, api_key: str | None, poll_s: float, max_poll_s: float
    ) -> None:
        self._base, self._key = api_base, api_key or os.environ.get("ANTHROPIC_API_KEY")
        self.poll_s, self._max_poll_s = poll_s, max_poll_s
        self._http = httpx.AsyncClient(timeout=60)

    async def submit(self, lines: list[dict[str, Any]], group: str) -> str:
        url = f"{(self._base or ANTHROPIC_BASE).rstrip('/')}/v1/messages/batches"
        headers = {"x-api-key": self._key or "", "anthropic-version": _VERSION}
        response = await self._http.post(url, json={"requests": lines}, headers=headers)
        response.raise_for_status()
        return str(response.json()["id"])

    async def find(self, group: str) -> str | None:
        return None  # see the module's docstring

    async def wait(self, batch_id: str) -> Finished:
        async def status() -> str:
            batch = await litellm.aretrieve_batch(batch_id=batch_id, **self._litellm())
            return str(batch.status)

        ended = await until_ended(status, self.poll_s, self._max_poll_s)
        content = await litellm.afile_content(file_id=batch_id, **self._litellm())
        return Finished.of(ended, [openai_row(row) for row in rows(content.text)])

    def _litellm(self) -> dict[str, Any]:
        return {"custom_llm_provider": "anthropic", "api_base": self._base, "api_key": self._key}

    async def aclose(self) -> None:
        await self._http.aclose()


def openai_row(row: dict[str, Any]) -> dict[str, Any]:
    """A Message Batches result row as a row of OpenAI's batch output."""
    if "response" in row:  # already OpenAI's shape
        return row
    result = row.get("result") or {}
    if result.get("type") != "succeeded":
        error = result.get("error") or {"type": result.get("type", "unknown")}
        return {"custom_id": row["custom_id"], "response": {"status_code": 400, "body": error}}
    message = result["message"]
    text = "".join(b.get("text", "") for b in message.get("content", []) if b.get("type") == "text")
    usage = message.get("usage") or {}
    cached = int(usage.get("cache_read_input_tokens") or 0)
    written = int(usage.get("cache_creation_input_tokens") or 0)
    prompt = int(usage.get("input_tokens") or 0) + cached + written
    body = {
        "id": message.get("id", ""),
        "model": message.get("model", ""),
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}}],
        "usage": {
            "prompt_tokens": prompt,
            "completion_tokens": int(usage.get("output_tokens") or 0),
            "prompt_tokens_details": {"cached_tokens": cached},
        },
    }
    return {"custom_id": row["custom_id"], "response": {"status_code": 200, "body": body}}
