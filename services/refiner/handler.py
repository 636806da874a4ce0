"""The refiner's I/O shell: reads a page from storage, refines it in the worker pool, writes
its text back and claims its chunks in the shared dedup index."""

from __future__ import annotations

import asyncio
import logging

from services.refiner import logic, outcomes, worker
from services.refiner.dedup import Candidate, Decision, DedupIndex, scope
from services.refiner.outcomes import skipped
from services.refiner.pool import Overrun, WorkerPool
from shared.contract.config import JobConfig, ProcessingConfig
from shared.contract.events import PageFetched
from shared.runtime.commit import Emit
from shared.storage.blobs import Storage, TooLarge
from shared.storage.keys import OutsideStorage, checked

log = logging.getLogger("datafactory.refiner")
WARM_TIMEOUT_S = 120.0


class Refiner:
    def __init__(self, storage: Storage, pool: WorkerPool, index: DedupIndex) -> None:
        self.storage, self.pool, self.index = storage, pool, index

    async def __call__(self, page: PageFetched, job: JobConfig) -> list[Emit]:
        config = job.processing
        html = await self.html(page)
        if isinstance(html, Emit):
            return [html]
        args = (html, page.language, config)
        try:
            doc = await self.pool.run(config.extract_timeout_s, worker.refine_page, *args)
        except Overrun as exc:
            return [skipped(page, exc.reason, exc.detail)]
        if doc.failure:
            return [skipped(page, doc.failure, doc.detail)]
        if doc.over_cap:
            cap = config.max_chunks_per_page
            log.warning(
                "%s: %d chunks over the per-page cap of %d were not used",
                page.url,
                doc.over_cap,
                cap,
            )
        await self.storage.put_async(f"text/{page.job_id}/{page.event_id}.txt", doc.text.encode())
        return outcomes.of_document(page, doc, await self.dedup(page, config, doc))

    async def html(self, page: PageFetched) -> bytes | Emit:
        """The stored page, or the page's failure when it cannot be had."""
        try:
            key = checked(page.html_key, "raw")
            return await self.storage.get_async(key, limit=worker.MAX_HTML_BYTES)
        except OutsideStorage as exc:
            return skipped(page, "key_outside_raw_pages", str(exc))
        except TooLarge as exc:
            return skipped(page, "too_large", str(exc))
        except FileNotFoundError as exc:
            return skipped(page, "html_missing", repr(exc))

    async def dedup(
        self, page: PageFetched, config: ProcessingConfig, doc: logic.Document
    ) -> dict[int, Decision]:
        """Dedup decisions of the chunks that passed the junk and language filters, by index."""
        chunks = [c for c in doc.chunks if c.verdict is None]
        candidates = [
            Candidate(outcomes.chunk_id(page, c.index), c.key, c.signature, c.bands) for c in chunks
        ]
        decisions = await self.index.claim(scope(page, config), config.dedup_threshold, candidates)
        return {c.index: d for c, d in zip(chunks, decisions, strict=True)}

    async def start(self) -> None:
        """Boots the worker before the first page, so no page's time limit pays for it."""
        await self.pool.run(WARM_TIMEOUT_S, logic.warm)

    async def close(self) -> None:
        await asyncio.to_thread(self.pool.close)
