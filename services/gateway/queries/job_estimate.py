"""A running job's cost: the chunks made so far, and the most the job will cost, refined from the
sizes of the pages its spider has fetched."""

from __future__ import annotations

import asyncio
import math
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from services.gateway.api.schemas import BatchSaving, Estimate, JobStatus
from services.gateway.queries.estimate import PAGE_TOKENS
from services.gateway.readmodel.tables import chunks, jobs, raw_documents
from shared import costs
from shared.config import JobConfig, ProcessingConfig
from shared.settings import Settings

# A page's visible text bounds its main text, with margins measured on the corpus (98 pages,
# default chunking): chunks close short of the limit at paragraph ends, so a page made up to
# 24 % more chunks than its tokens ÷ chunk_size; Markdown marks added up to 4 % tokens.
FILL = 0.75
MARKUP = 1.1


def page_top(p: ProcessingConfig, text_tokens: int) -> list[int]:
    """Token counts of the chunks a page with this much visible text makes at most."""
    tokens = math.ceil(text_tokens * MARKUP)
    if tokens < p.min_chunk_tokens:
        return []
    step = max(int(p.chunk_size * FILL) - p.chunk_overlap, 1)
    count = min(math.ceil(tokens / step), p.max_chunks_per_page)
    return [min(p.chunk_size, math.ceil(tokens / count) + p.chunk_overlap)] * count


@dataclass(frozen=True)
class _Read:
    """What the read model holds about the job's pages and chunks."""

    config: JobConfig
    made: int  # chunks made, and their tokens
    made_tokens: int
    waiting: list[int | None]  # visible-text tokens of fetched pages not refined yet
    sized: int
    over_cap: int


async def _read(engine: AsyncEngine, job_id: str) -> _Read | None:
    c, d = chunks.c, raw_documents.c
    made = select(func.count(), func.coalesce(func.sum(c.token_count), 0))
    made = made.where(c.job_id == job_id, c.status == "made")
    pages = select(func.count(d.text_tokens), func.coalesce(func.sum(d.chunks_over_cap), 0))
    waiting = select(d.text_tokens).where(
        d.job_id == job_id, d.scrape_status == "fetched", d.refined_at.is_(None)
    )
    async with engine.connect() as conn:
        config = (await conn.execute(select(jobs.c.config).where(jobs.c.id == job_id))).scalar()
        if config is None:
            return None
        count, tokens = (await conn.execute(made)).one()
        sized, over = (await conn.execute(pages.where(d.job_id == job_id))).one()
        unrefined = list((await conn.execute(waiting)).scalars())
    found = JobConfig.model_validate(config)
    return _Read(found, int(count), int(tokens), unrefined, int(sized), int(over))


def _to_fetch(job: JobStatus, config: JobConfig) -> int:
    """Pages the spider has still to settle, as many as a crawl may still find."""
    if job.finished:
        return 0
    s = config.scraping
    expected = job.stages.spider.total
    if s.crawl and s.max_depth > 0:
        expected = max(expected, s.max_pages)
    return max(expected - job.stages.spider.settled, 0)


def _estimate(read: _Read, job: JobStatus, model: str, s: Settings) -> Estimate:
    gen, p, per_1k = read.config.generation, read.config.processing, s.llm_price_per_1k_tokens
    average = read.made_tokens // read.made if read.made else 0
    made = costs.estimate_average(gen, model, read.made, average, per_1k)
    to_fetch = _to_fetch(job, read.config)
    coming = [page_top(p, PAGE_TOKENS[1] if t is None else t) for t in read.waiting]
    coming += [page_top(p, PAGE_TOKENS[1])] * to_fetch
    rest = costs.estimate(gen, model, [t for page in coming for t in page], per_1k)
    top = 0.0 if gen.dry_run else made.cost_usd + rest.cost_usd
    figures = {"top_chunks": made.chunks + rest.chunks, "top_usd": top}
    figures |= {"pages_sized": read.sized, "pages_to_fetch": to_fetch}
    return Estimate(**vars(made), model=model, **figures, chunks_over_cap=read.over_cap)


def _saving(read: _Read, job: JobStatus, model: str, s: Settings) -> BatchSaving | None:
    if read.config.generation.mode != "batch":
        return None
    tokens = job.prompt_tokens, job.completion_tokens
    found = costs.batch_saving(model, *tokens, job.cost_usd, s.llm_price_per_1k_tokens)
    if found is None:
        return None
    return BatchSaving(online_usd=found[0], paid_usd=job.cost_usd, saved_usd=found[1])


async def job_costs(
    engine: AsyncEngine, settings: Settings, job: JobStatus
) -> tuple[Estimate | None, BatchSaving | None]:
    """The job's estimate and, in batch mode, its saving against online mode; (None, None)
    for a job not projected yet."""
    read = await _read(engine, job.id)
    if read is None:
        return None, None
    model = read.config.generation.model or settings.llm_model
    # The first estimate loads litellm's price map (seconds): never on the event loop.
    estimate = await asyncio.to_thread(_estimate, read, job, model, settings)
    return estimate, await asyncio.to_thread(_saving, read, job, model, settings)
