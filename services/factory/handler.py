"""The factory's I/O shell: generates a chunk's examples (`generate.Generator`) and closes
the LLM clients once the stage has stopped."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from services.factory.generate import Generator
from shared.contract.config import JobConfig
from shared.contract.events import ChunkMade
from shared.runtime.commit import Emit


class Factory:
    def __init__(
        self, generator: Generator, closers: Sequence[Callable[[], Awaitable[None]]]
    ) -> None:
        self.generator, self.closers = generator, closers

    async def __call__(self, chunk: ChunkMade, job: JobConfig) -> list[Emit]:
        return await self.generator(chunk, job)

    async def close(self) -> None:
        for close in self.closers:
            await close()
