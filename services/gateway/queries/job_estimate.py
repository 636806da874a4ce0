"""A running job's cost: the chunks made so far, and the most the job will cost, refined from the
sizes of the pages its spider has fetched."""

from __future__ import annotations

import asyncio
import math
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from services.gateway.queries.estimate import PAGE_TOKENS
from services.gateway.queries.job_models import BatchSaving, Estimate, JobStatus
from services.gateway.readmodel.tables import chunks, jobs, raw_documents
from shared.contract.config import JobConfig, ProcessingConfig
from shared.runtime import costs
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
    spent: float  # the job's cost so far, read with its chunks
    made: int  # chunks made, and their tokens
    made_tokens: int
    done: int  # chunks made that the factory has spent on, and their tokens
    done_tokens: int
    waiting: list[int | None]  # visible-text tokens of fetched pages not refined yet
    sized: int
    over_cap: int


async def _read(engine: AsyncEngine, job_id: str) -> _Read | None:
    c, d = chunks.c, raw_documents.c
    charged = c.cost_nano.is_not(None)  # the factory's outcome has come, with its spend
    chunk_counts = select(
        func.count(),
        func.coalesce(func.sum(c.token_count), 0),
        func.count().filter(charged),
        func.coalesce(func.sum(c.token_count).filter(charged), 0),
    ).where(c.job_id == job_id, c.status == "made")
    pages = select(func.count(d.text_tokens), func.coalesce(func.sum(d.chunks_over_cap), 0))
    waiting = select(d.text_tokens).where(
        d.job_id == job_id, d.scrape_status == "fetched", d.refined_at.is_(None)
    )
    job = select(jobs.c.config, jobs.c.cost_total).where(jobs.c.id == job_id)
    async with engine.connect() as conn:  # one transaction: the spend matches the chunks
        config, spent = (await conn.execute(job)).one_or_none() or (None, 0.0)
        if config is None:
            return None
        counts = (await conn.execute(chunk_counts)).one()
        sized, over = (await conn.execute(pages.where(d.job_id == job_id))).one()
        unrefined = list((await conn.execute(waiting)).scalars())
    found = JobConfig.model_validate(config)
    made, tokens, done, done_tokens = map(int, counts)
    return _Read(
        found, float(spent), made, tokens, done, done_tokens, unrefined, int(sized), int(over)
    )


def _to_fetch(job: JobStatus, config: JobConfig) -> int:
    """Pages the spider has still to settle, as many as a crawl may still find."""
    if job.finished:
        return 0
    s = config.scraping
    expected = job.stages.spider.total
    if s.crawl and s.max_depth > 0:
        expected = max(expected, s.max_pages)
    return max(expected - job.stages.spider.settled, 0)


def _chunks(read: _Read, job: JobStatus) -> list[int]:
    """Token counts of the chunks the factory has still to spend on, at most."""
    if job.finished:
        return []
    p, left = read.config.processing, read.made - read.done
    tokens = read.made_tokens - read.done_tokens
    waiting = [page_top(p, PAGE_TOKENS[1] if t is None else t) for t in read.waiting]
    waiting += [page_top(p, PAGE_TOKENS[1])] * _to_fetch(job, read.config)
    return [_mean(tokens, left)] * left + [t for page in waiting for t in page]


def _estimate(read: _Read, job: JobStatus, model: str, s: Settings) -> Estimate:
    gen, per_1k = read.config.generation, s.llm_price_per_1k_tokens
    made = costs.estimate_average(gen, model, read.made, _mean(read.made_tokens, read.made), per_1k)
    done = costs.estimate_average(gen, model, read.done, _mean(read.done_tokens, read.done), per_1k)
    rest = costs.estimate(gen, model, _chunks(read, job), per_1k)
    # What the spent calls cost against their estimate (longer answers than the template
    # expects, retries, repairs) is assumed of the calls to come: never less than estimated.
    ratio = min(max(read.spent / done.cost_usd, 1.0), 4.0) if done.cost_usd else 1.0
    top = 0.0 if gen.dry_run else read.spent + rest.cost_usd * ratio
    figures = {"top_chunks": read.done + rest.chunks, "top_usd": top}
    figures |= {"pages_sized": read.sized, "pages_to_fetch": _to_fetch(job, read.config)}
    return Estimate(**vars(made), model=model, **figures, chunks_over_cap=read.over_cap)


def _mean(total: int, count: int) -> int:
    return total // count if count else 0


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
