"""The shipper's pure core: what an export holds and what its card says, from values alone.

Which examples an export rejects (reviewers' verdicts, then copies of better examples), when
there is nothing to export from, why an export is empty, and the card's figures."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

import pyarrow as pa

from services.shipper import dedup, figures, reviews
from services.shipper.facts import JobFacts
from services.shipper.stats import DatasetStats
from shared.contract.config import JobConfig, QualityConfig

Refusal = tuple[str, str]  # a reason and its detail


def finished(outstanding: bytes | str | None) -> bool:
    """A job may be exported again once its tally has no item outstanding."""
    return outstanding is None or int(outstanding) <= 0


def priced_model(config: JobConfig, facts: JobFacts) -> str | None:
    """The model whose batch-mode saving the card shows: a batch job's only model."""
    if config.generation.mode == "batch" and len(facts.models) == 1:
        (model,) = facts.models
        return model
    return None


def staging_lost(facts: JobFacts, staged: bool, exported: bool) -> Refusal | None:
    """Examples were made but neither their staged rows nor an export remain: an export now
    would be wrongly empty."""
    if not facts.examples or staged or exported:
        return None
    detail = f"the job's {facts.examples} examples are no longer staged (datafactory gc?)"
    return "staging_removed", detail


def removes_copies(quality: QualityConfig) -> bool:
    return "duplicates" in quality.checks


def copies(pool: dedup.Pool, quality: QualityConfig) -> dedup.Removed:
    """The passed examples of `pool` an export leaves out as copies of better ones, or of
    ones the project's earlier exports kept."""
    if not removes_copies(quality):
        return {}
    return dedup.removed(pool, quality.near_duplicate_threshold)


def reviewed(
    tables: Iterable[pa.Table], decided: Mapping[str, reviews.Decision]
) -> Iterator[pa.Table]:
    """The staged rows with reviewers' verdicts applied."""
    return reviews.applied(tables, decided)


def exported(tables: Iterable[pa.Table], removed: dedup.Removed) -> Iterator[pa.Table]:
    """The reviewed rows with each copy rejected, saying which example it copies."""
    return dedup.applied(tables, removed)


def why_empty(facts: JobFacts, stats: DatasetStats) -> str | None:
    if stats.passed:
        return None
    if facts.fetched == 0 and facts.urls:
        return "no page could be fetched (see Sources)"
    if stats.scored == 0:
        return "no example was generated (see Processing and Generation)"
    return "no example passed quality control (see Quality)"


def card_figures(facts: JobFacts, stats: DatasetStats, config: JobConfig) -> figures.Figures:
    """What the card shows and the manifest keeps, by section and table."""
    return {
        "sources": figures.sources(facts, stats, config),
        "processing": figures.processing(facts, config),
        "generation": figures.generation(facts, config),
        "quality": figures.quality(facts, stats, config),
    }
