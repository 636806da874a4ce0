"""The verdict on a batch: every configured check once per batch, then a weighted score with
hard gates. Pure: models and the duplicate index come in as values and functions."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from services.inspector.checks.base import Finding, Item
from services.inspector.checks.coherence import check_coherence
from services.inspector.checks.format import check_format
from services.inspector.checks.groundedness import check_groundedness
from services.inspector.checks.language import Identify, check_language
from services.inspector.checks.readability import Measure, check_readability
from services.inspector.checks.toxicity import Scored, check_toxicity
from shared.contract.config import QualityConfig

Findings = dict[str, Finding]
# Checks decided after the others: duplicates against the accepted set, the judge's call.
LATE_CHECKS = frozenset({"duplicates", "judge"})


@dataclass(frozen=True)
class Models:
    measure: Measure
    identify: Identify
    # The job's toxicity backend and detoxify variant -> a classifier of many texts at once.
    toxicity: Callable[[str, str], Callable[[list[str]], Scored]]


@dataclass(frozen=True)
class Verdict:
    scores: dict[str, float]
    score: float
    passed: bool
    reasons: list[str]  # what rejected it: named gates, then its score; empty if passed
    warnings: list[str]  # checks that found fault without rejecting it
    backends: dict[str, str]


def assess(batch: list[Item], models: Models) -> list[Findings]:
    """The early checks each example's job asks for; each check runs once per batch (the
    toxicity model once per backend in the batch)."""
    found: list[Findings] = [{} for _ in batch]
    _run(found, batch, "format", check_format)
    _run(found, batch, "readability", lambda b: check_readability(b, models.measure))
    _run(found, batch, "language", lambda b: check_language(b, models.identify))
    _run(found, batch, "groundedness", check_groundedness)
    _run(found, batch, "coherence", check_coherence)
    by_backend: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, item in enumerate(batch):
        quality = item.quality
        if "toxicity" in quality.checks:
            by_backend[(quality.toxicity_backend, quality.detoxify_variant)].append(i)
    for (choice, variant), indices in by_backend.items():
        classify = models.toxicity(choice, variant)
        findings = check_toxicity([batch[i] for i in indices], classify)
        for i, finding in zip(indices, findings, strict=True):
            found[i]["toxicity"] = finding
    return found


def _run(
    found: list[Findings],
    batch: list[Item],
    name: str,
    check: Callable[[list[Item]], list[Finding]],
) -> None:
    indices = [i for i, item in enumerate(batch) if name in item.quality.checks]
    if indices:
        for i, finding in zip(indices, check([batch[i] for i in indices]), strict=True):
            found[i][name] = finding


def eligible(found: Findings, quality: QualityConfig) -> bool:
    """Whether the example passes so far: only those may claim a place among the job's
    accepted examples, so a rejected one never makes a later good one a duplicate."""
    return verdict(found, quality).passed


def verdict(found: Findings, quality: QualityConfig) -> Verdict:
    chosen = {str(name): weight for name, weight in quality.weights.items()}
    weights = {name: chosen.get(name, 1.0) for name in found}
    total = sum(weights.values())
    score = sum(f.score * weights[n] for n, f in found.items()) / total if total else 1.0
    gated = {n for n, f in found.items() if f.failed and n in quality.gates}
    # One explanation per verdict: the gates that rejected it (first: the dataset card counts
    # a rejection under its first reason), then its score; any other fault only warns.
    reasons = [f.reason or n for n, f in found.items() if n in gated]
    if score < quality.min_score:
        shown = math.floor(score * 100) / 100  # 0.699 shows as 0.69, not as 0.70
        reasons.append(f"score {shown:.2f} < {quality.min_score:.2f}")
    return Verdict(
        scores={name: round(f.score, 4) for name, f in found.items()},
        score=round(score, 4),
        passed=not reasons,
        reasons=reasons,
        warnings=[f.reason for n, f in found.items() if f.reason and n not in gated],
        backends={name: f.backend for name, f in found.items() if f.backend},
    )
