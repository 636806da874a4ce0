"""The provider's Batch API through the openai client: upload a JSONL file, create a batch
tagged with our group, find a batch by that tag, and poll one with backoff until it ends."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

import openai

_ENDED = frozenset({"completed", "failed", "expired", "cancelled"})


@dataclass(frozen=True)
class Finished:
    status: str  # completed | failed | expired | cancelled
    bodies: dict[str, dict[str, Any]] = field(default_factory=dict)  # custom_id -> completion
    errors: dict[str, str] = field(default_factory=dict)  # custom_id -> why its line failed


class BatchAPI:
    def __init__(self, client: openai.AsyncOpenAI, poll_s: float, max_poll_s: float) -> None:
        self._client, self.poll_s, self._max_poll_s = client, poll_s, max_poll_s

    async def submit(self, lines: list[dict[str, Any]], group: str) -> str:
        content = "".join(json.dumps(line) + "\n" for line in lines).encode()
        uploaded = await self._client.files.create(file=("batch.jsonl", content), purpose="batch")
        batch = await self._client.batches.create(
            input_file_id=uploaded.id,
            endpoint="/v1/chat/completions",
            completion_window="24h",
            metadata={"datafactory_group": group},
        )
        return batch.id

    async def find(self, group: str) -> str | None:
        """The batch created for `group`, if its creation went through."""
        async for batch in self._client.batches.list(limit=100):
            if (batch.metadata or {}).get("datafactory_group") == group:
                return batch.id
        return None

    async def wait(self, batch_id: str) -> Finished:
        """Polls with backoff (a batch may take hours) until the batch ends, then reads it."""
        wait = self.poll_s
        while (batch := await self._client.batches.retrieve(batch_id)).status not in _ENDED:
            await asyncio.sleep(wait)
            wait = min(wait * 1.5, self._max_poll_s)
        bodies, errors = {}, {}
        for row in await self._rows(batch.output_file_id) + await self._rows(batch.error_file_id):
            response = row.get("response") or {}
            if response.get("status_code") == 200:
                bodies[row["custom_id"]] = response["body"]
            else:
                errors[row["custom_id"]] = json.dumps(response.get("body") or row.get("error"))
        return Finished(batch.status, bodies, errors)

    async def _rows(self, file_id: str | None) -> list[dict[str, Any]]:
        if not file_id:
            return []
        content = await self._client.files.content(file_id)
        return [json.loads(line) for line in content.text.splitlines() if line.strip()]
