"""Pure figures of an export, one card section at a time (`logic.card_figures` assembles
them): what the card shows and the manifest keeps. Every figure is one the read models also
hold (see tests/shipper/test_card_matches_db)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from services.shipper.facts import JobFacts
from services.shipper.stats import BINS, DatasetStats
from shared.contract.config import JobConfig

Table = dict[str, Any]
Figures = dict[str, dict[str, Table]]


def _by_reason(failures: Counter[tuple[str, str]]) -> Table:
    return {f"{outcome}: {reason}": n for (outcome, reason), n in sorted(failures.items())}


def _sorted(counts: Counter[str]) -> Table:
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def sources(facts: JobFacts, stats: DatasetStats, config: JobConfig) -> dict[str, Table]:
    spider = facts.failures("spider")
    pages = {
        "URLs submitted": facts.urls,
        "invalid URLs": sum(facts.failures("gateway").values()),
        "pages fetched": facts.fetched,
        "pages not fetched": sum(spider.values()),
        "robots.txt respected": "yes" if config.scraping.respect_robots_txt else "no",
        "pages disallowed by robots.txt": sum(
            n for (_, reason), n in spider.items() if reason == "robots_disallowed"
        ),
    }
    return {
        "pages": pages,
        "pages not fetched": _by_reason(spider),
        "pages fetched per domain": _sorted(facts.pages),
        "examples per domain": _sorted(stats.domains),
    }


def processing(facts: JobFacts, config: JobConfig) -> dict[str, Table]:
    documents = {
        "documents refined": facts.documents,
        "pages not refined": sum(facts.failures("refiner").values()),
        "chunk size (tokens)": config.processing.chunk_size,
        "chunk overlap (tokens)": config.processing.chunk_overlap,
        "chunks made": facts.chunks,
        "chunks dropped": facts.dropped,
    }
    return {
        "documents": documents,
        "extractors": _sorted(facts.extractors),
        "chunks dropped per reason": _sorted(facts.drops),
        "pages not refined": _by_reason(facts.failures("refiner")),
    }


def generation(facts: JobFacts, config: JobConfig) -> dict[str, Table]:
    summary = {
        "models": ", ".join(sorted(facts.models)) or "none",
        "template": config.generation.template,
        "examples per chunk": config.generation.examples_per_chunk,
        "chunks generated": facts.calls,
        "chunks not generated": sum(facts.failures("factory").values()),
        "examples generated": facts.examples,
        "prompt tokens": facts.prompt_tokens,
        "completion tokens": facts.completion_tokens,
        "cost (USD)": f"{facts.cost_usd:.6f}",
    }
    if facts.batch_saving is not None:
        online, saved = facts.batch_saving
        summary |= {
            "cost online (USD)": f"{online:.6f}",
            "saved by batch mode (USD)": f"{saved:.6f}",
        }
    return {"generation": summary, "chunks not generated": _by_reason(facts.failures("factory"))}


def quality(facts: JobFacts, stats: DatasetStats, config: JobConfig) -> dict[str, Table]:
    rate = stats.passed / stats.scored if stats.scored else 0.0
    summary = {
        "checks": ", ".join(config.quality.checks),
        "min score": config.quality.min_score,
        "examples scored": stats.scored,
        "examples not scored": sum(facts.failures("inspector").values()),
        "passed": stats.passed,
        "rejected": stats.rejected,
        "pass rate": f"{rate:.1%}",
        "mean score": f"{stats.mean_score():.3f}",
    }
    histogram = {f"{i / BINS:.1f}-{(i + 1) / BINS:.1f}": n for i, n in enumerate(stats.histogram)}
    return {
        "quality": summary,
        "rejections per check": _sorted(stats.below),
        "rejection reasons": _sorted(stats.reasons),
        "duplicate removal": _duplicates(stats, config),
        "score distribution": histogram,
        "examples not scored": _by_reason(facts.failures("inspector")),
    }


def _duplicates(stats: DatasetStats, config: JobConfig) -> Table:
    """How copies were found: the embedding of each example (by count) and the rule."""
    quality = config.quality
    if "duplicates" not in quality.checks:
        return {"removed at export": "no"}
    rule = {
        "removed at export": "yes",
        "near-duplicate cosine": quality.near_duplicate_threshold,
        "scope": quality.dedup_scope,
    }
    return rule | {
        f"examples embedded by {name}": n for name, n in _sorted(stats.embeddings).items()
    }
