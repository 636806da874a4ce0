"""Pure tallies of an export's records, taken one record at a time as they are written."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

BINS = 10  # score histogram: [0, 0.1), [0.1, 0.2), ... [0.9, 1.0]


def domain(url: str | None) -> str:
    return (urlsplit(url).hostname or "unknown") if url else "unknown"


def reason_kind(reason: str) -> str:
    """`toxic(p=0.91)`, `score 0.20 < 0.70`, `language: de` -> toxic, score, language."""
    for i, char in enumerate(reason):
        if char in "(: ":
            return reason[:i] or reason
    return reason


def score_bin(score: float) -> int:
    return min(BINS - 1, max(0, int(score * BINS)))


@dataclass
class DatasetStats:
    min_score: float
    passed: int = 0
    rejected: int = 0
    score_sum: float = 0.0
    histogram: list[int] = field(default_factory=lambda: [0] * BINS)
    reasons: Counter[str] = field(default_factory=Counter)  # rejected examples per reason kind
    below: Counter[str] = field(default_factory=Counter)  # rejected ones a check scored low
    domains: Counter[str] = field(default_factory=Counter)  # passed examples per domain
    languages: Counter[str] = field(default_factory=Counter)
    templates: Counter[str] = field(default_factory=Counter)
    models: Counter[str] = field(default_factory=Counter)
    splits: Counter[str] = field(default_factory=Counter)
    simulated: bool = False

    @property
    def scored(self) -> int:
        return self.passed + self.rejected

    def add(self, record: dict[str, Any], passed: bool, split: str | None = None) -> None:
        meta = record["metadata"]
        score = float(meta["quality_score"])
        self.score_sum += score
        self.histogram[score_bin(score)] += 1
        self.simulated = self.simulated or bool(meta.get("simulated"))
        if not passed:
            self.rejected += 1
            self.reasons.update({reason_kind(r) for r in meta.get("rejected_because", [])})
            self.below.update(c for c, s in meta["scores"].items() if s < self.min_score)
            return
        self.passed += 1
        self.domains[domain(meta["source_url"])] += 1
        self.languages[meta.get("language") or "unknown"] += 1
        self.templates[record["template"]] += 1
        self.models[meta["model"]] += 1
        if split:
            self.splits[split] += 1

    def mean_score(self) -> float:
        return self.score_sum / self.scored if self.scored else 0.0
