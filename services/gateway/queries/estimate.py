"""A submission's cost estimate, before anything runs."""

from __future__ import annotations

import asyncio
import math

from services.gateway.queries.job_models import CostSpan, RejectedUrl, Span, SubmissionEstimate
from shared.contract.config import GenerationConfig, JobConfig
from shared.contract.templates import TemplateError, UnknownTemplateError
from shared.contract.urls import partition
from shared.runtime import costs, model_policy
from shared.settings import Settings

# How much main text a page holds, in tokens: from a short news item to a long article.
PAGE_TOKENS = (400, 4000)
BASIS = (
    "each page holds 400 to 4,000 tokens of text (a crawl: up to max_pages pages); "
    "one LLM call per chunk at the mode's price, at most max_chunks_per_page chunks a page; "
    "retries, repairs and the LLM judge come on top"
)


def _pages(config: JobConfig, seeds: int) -> Span:
    crawling = config.scraping.crawl and config.scraping.max_depth > 0
    return Span(low=seeds, high=max(seeds, config.scraping.max_pages) if crawling else seeds)


def _page_chunks(config: JobConfig, page_tokens: int) -> tuple[int, int]:
    """(chunks, average tokens a chunk) of a page; text too short for a chunk makes none."""
    p = config.processing
    if page_tokens < p.min_chunk_tokens:
        return 0, 0
    count = min(
        math.ceil(page_tokens / max(p.chunk_size - p.chunk_overlap, 1)), p.max_chunks_per_page
    )
    return count, min(p.chunk_size, math.ceil(page_tokens / count) + p.chunk_overlap)


def _refusal(settings: Settings, config: JobConfig) -> str | None:
    gens = [config.generation]
    if config.quality.judge_model is not None:
        gens.append(GenerationConfig(model=config.quality.judge_model))
    found = [model_policy.refusal(settings, gen) for gen in gens]
    return next((r.detail for r in found if r is not None), None)


def _priced(
    settings: Settings, config: JobConfig, pages: int, page_tokens: int
) -> costs.CostEstimate:
    """Priced for one chunk, then scaled: a crawl's range may span millions of chunks."""
    count, average = _page_chunks(config, page_tokens)
    gen, model = config.generation, model_policy.job_model(settings, config.generation)
    one = costs.estimate_average(gen, model, 1, average, settings.llm_price_per_1k_tokens)
    n = pages * count
    cost = 0.0 if gen.dry_run else one.cost_usd * n
    return costs.CostEstimate(n, one.prompt_tokens * n, one.completion_tokens * n, cost, one.priced)


def estimate_submission(
    settings: Settings, urls: list[str], config: JobConfig
) -> SubmissionEstimate:
    """What submitting `urls` with `config` would cost, as a low..high range; pure apart from
    loading litellm's price map on first use (seconds), so async callers run it in a thread."""
    accepted, rejected = partition(urls)
    pages = _pages(config, len(accepted))
    try:
        low = _priced(settings, config, pages.low, PAGE_TOKENS[0])
        high = _priced(settings, config, pages.high, PAGE_TOKENS[1])
        refusal = _refusal(settings, config)
    except (UnknownTemplateError, TemplateError) as exc:
        empty = costs.CostEstimate(0, 0, 0, 0.0, False)
        low, high, refusal = empty, empty, f"template {config.generation.template!r}: {exc}"
    return SubmissionEstimate(
        accepted=accepted,
        rejected=[RejectedUrl(url=r.url, reason=r.reason) for r in rejected],
        model=model_policy.job_model(settings, config.generation),
        mode=config.generation.mode,
        priced=high.priced,
        refusal=refusal or (None if accepted else "no valid URL"),
        pages=pages,
        chunks=Span(low=low.chunks, high=high.chunks),
        prompt_tokens=Span(low=low.prompt_tokens, high=high.prompt_tokens),
        completion_tokens=Span(low=low.completion_tokens, high=high.completion_tokens),
        cost_usd=CostSpan(low=low.cost_usd, high=high.cost_usd),
        max_cost_usd=config.generation.max_cost_usd or settings.default_max_cost_usd,
        basis=BASIS,
    )


async def warm_up(model: str) -> None:
    """Loads the price map and template token counts ahead of the first job page."""
    await asyncio.to_thread(costs.estimate_average, GenerationConfig(), model, 1, 100)
