"""Provider batch APIs behind one shape: submit lines tagged with our group, find a batch by
that tag, and poll one with backoff until it ends, its results read per `custom_id`.

OpenAI's Batch API (and every OpenAI-compatible server's) goes through the openai client:
upload a JSONL file, create a batch with the group in its metadata. Anthropic's Message
Batches are read through litellm (retrieval and results, in OpenAI's shapes); litellm cannot
create one yet, so creation is a POST to Anthropic's documented endpoint."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import openai

ENDED = frozenset({"completed", "failed", "expired", "cancelled"})


@dataclass(frozen=True)
class Finished:
    status: str  # completed | failed | expired | cancelled
    bodies: dict[str, dict[str, Any]] = field(default_factory=dict)  # custom_id -> completion
    errors: dict[str, str] = field(default_factory=dict)  # custom_id -> why its line failed

    @classmethod
    def of(cls, status: str, rows: list[dict[str, Any]]) -> Finished:
        """From result rows in OpenAI's batch output shape."""
        bodies, errors = {}, {}
        for row in rows:
            response = row.get("response") or {}
            if response.get("status_code") == 200:
                bodies[row["custom_id"]] = response["body"]
            else:
                errors[row["custom_id"]] = json.dumps(response.get("body") or row.get("error"))
        return cls(status, bodies, errors)


class BatchAPI(Protocol):
    poll_s: float

    async def submit(self, lines: list[dict[str, Any]], group: str) -> str: ...

    async def find(self, group: str) -> str | None: ...

    async def wait(self, batch_id: str) -> Finished: ...


async def until_ended(
    status: Callable[[], Awaitable[str]], poll_s: float, max_poll_s: float
) -> str:
    """Polls with backoff (a batch may take hours) until the batch's status is final."""
    wait = poll_s
    while (now := await status()) not in ENDED:
        await asyncio.sleep(wait)
        wait = min(wait * 1.5, max_poll_s)
    return now


def rows(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


class OpenAIBatches:
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
        async def status() -> str:
            return (await self._client.batches.retrieve(batch_id)).status

        ended = await until_ended(status, self.poll_s, self._max_poll_s)
        batch = await self._client.batches.retrieve(batch_id)
        found = await self._rows(batch.output_file_id) + await self._rows(batch.error_file_id)
        return Finished.of(ended, found)

    async def _rows(self, file_id: str | None) -> list[dict[str, Any]]:
        if not file_id:
            return []
        return rows((await self._client.files.content(file_id)).text)
