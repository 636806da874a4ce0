"""Tallies of an export's examples, a columnar chunk of staged rows at a time."""

from __future__ import annotations

import functools
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pyarrow as pa
import pyarrow.compute as pc

BINS = 10  # score histogram: [0, 0.1), [0.1, 0.2), ... [0.9, 1.0]


@functools.lru_cache(maxsize=4096)  # a page's examples share its URL: parse it once
def domain(url: str | None) -> str:
    return (urlsplit(url).hostname or "unknown") if url else "unknown"


def reason_kind(reason: str) -> str:
    """`toxic(p=0.91)`, `score 0.20 < 0.70`, `language: de` -> toxic, score, language."""
    for i, char in enumerate(reason):
        if char in "(: ":
            return reason[:i] or reason
    return reason


def _counts(values: Any) -> Counter[str]:
    """How often each value occurs; a missing one counts as "unknown"."""
    found: Counter[str] = Counter()
    for item in pc.value_counts(values).to_pylist():
        found[item["values"] or "unknown"] += item["counts"]
    return found


@dataclass
class DatasetStats:
    passed: int = 0
    rejected: int = 0
    score_sum: float = 0.0
    histogram: list[int] = field(default_factory=lambda: [0] * BINS)
    reasons: Counter[str] = field(default_factory=Counter)  # rejected examples per reason kind
    below: Counter[str] = field(default_factory=Counter)  # rejected ones a check scored low
    domains: Counter[str] = field(default_factory=Counter)  # of the passed examples
    languages: Counter[str] = field(default_factory=Counter)
    templates: Counter[str] = field(default_factory=Counter)
    models: Counter[str] = field(default_factory=Counter)
    splits: Counter[str] = field(default_factory=Counter)
    embeddings: Counter[str] = field(default_factory=Counter)  # duplicate removal's, per example
    simulated: bool = False

    @property
    def scored(self) -> int:
        return self.passed + self.rejected

    def add(self, chunk: pa.Table, splits: list[str] | None = None) -> None:
        """A chunk of staged rows (`records.STAGED`); `splits` names each row's split."""
        scores = chunk["quality_score"]
        self.score_sum += pc.sum(scores).as_py() or 0.0
        bins = pc.min_element_wise(pc.cast(pc.floor(pc.multiply(scores, BINS)), pa.int64()), 9)
        for i, n in _counts(pc.cast(bins, pa.string())).items():
            self.histogram[max(0, int(i))] += n
        self.simulated = self.simulated or bool(pc.any(chunk["simulated"]).as_py())
        passed = chunk["passed"]
        tallied = chunk.select(["domain", "language", "template", "model", "kinds", "below"])
        kept, dropped = tallied.filter(passed), tallied.filter(pc.invert(passed))
        self.passed += kept.num_rows
        self.rejected += dropped.num_rows
        for name, counter in (
            ("domain", self.domains),
            ("language", self.languages),
            ("template", self.templates),
            ("model", self.models),
        ):
            counter.update(_counts(kept[name]))
        self.reasons.update(_counts(pc.list_flatten(dropped["kinds"])))
        embedded = chunk["embedding"].drop_null()
        if len(embedded):
            self.embeddings.update(_counts(embedded))
        self.below.update(_counts(pc.list_flatten(dropped["below"])))
        if splits is not None:
            self.splits.update(s for s, ok in zip(splits, passed.to_pylist(), strict=True) if ok)

    def mean_score(self) -> float:
        return self.score_sum / self.scored if self.scored else 0.0
