"""Each check separates the labelled set's cases; precision and recall are printed and held to
a floor (run with -s to see them)."""

from __future__ import annotations

import numpy as np
import pytest

from services.inspector import logic
from services.inspector.checks.base import Item
from services.inspector.checks.duplicates import fingerprints, near_owners
from services.inspector.embeddings import HashedTfidf
from shared.config import QualityConfig
from tests.inspector import labelled
from tests.inspector.labelled import DE, EN, Case, example


def precision_recall(check: str, cases: list[Case], flagged: list[bool]) -> tuple[float, float]:
    truth = [bad for _, bad in cases]
    hits = sum(f and t for f, t in zip(flagged, truth, strict=True))
    precision = hits / sum(flagged) if any(flagged) else 1.0
    recall = hits / sum(truth)
    print(f"\n{check}: precision {precision:.2f} recall {recall:.2f} on {len(cases)} cases")
    return precision, recall


def judge(check: str, cases: list[Case], models: logic.Models) -> list[bool]:
    items = [Item(ex, QualityConfig()) for ex, _ in cases]
    return [found[check].failed for found in logic.assess(items, models)]


def numbered(cases: list[Case]) -> list[Case]:
    return [
        (ex.model_copy(update={"event_id": f"ex{i}"}), bad) for i, (ex, bad) in enumerate(cases)
    ]


def test_toxicity_separates_toxic_from_clean_english(inspector_models: logic.Models) -> None:
    cases = numbered([(example(q, a), bad) for q, a, src, bad in labelled.TOXICITY if src == EN])
    flagged = judge("toxicity", cases, inspector_models)
    assert precision_recall("toxicity en (profanity-check)", cases, flagged) == (1.0, 1.0)


def test_an_english_only_toxicity_model_leaves_german_unjudged(
    inspector_models: logic.Models,
) -> None:
    cases = numbered(
        [(example(q, a, DE), bad) for q, a, src, bad in labelled.TOXICITY if src == DE]
    )
    items = [Item(ex, QualityConfig()) for ex, _ in cases]
    found = [f["toxicity"] for f in logic.assess(items, inspector_models)]
    precision_recall("toxicity de (profanity-check)", cases, [f.failed for f in found])
    assert {f.backend for f in found} == {"skipped:profanity-check reads English only"}


def test_groundedness_separates_invented_from_supported(inspector_models: logic.Models) -> None:
    cases = numbered([(example(q, a, src), bad) for q, a, src, bad in labelled.GROUNDEDNESS])
    flagged = judge("groundedness", cases, inspector_models)
    assert precision_recall("groundedness", cases, flagged) == (1.0, 1.0)


def test_format_separates_degenerate_from_full_answers(inspector_models: logic.Models) -> None:
    cases = numbered([(example(q, a), bad) for q, a, bad in labelled.DEGENERATE])
    flagged = judge("format", cases, inspector_models)
    assert precision_recall("format (degenerate)", cases, flagged) == (1.0, 1.0)


def test_language_separates_mismatched_from_matching(inspector_models: logic.Models) -> None:
    cases = numbered([(example(q, a, src), bad) for q, a, src, bad in labelled.LANGUAGE])
    flagged = judge("language", cases, inspector_models)
    assert precision_recall("language", cases, flagged) == (1.0, 1.0)


@pytest.mark.parametrize("embedder", [HashedTfidf()], ids=lambda e: e.name)
def test_duplicates_separate_copies_from_distinct_pairs(embedder: HashedTfidf) -> None:
    flagged, cases = [], []
    for first, second, dup in labelled.DUPLICATES:
        items = [
            Item(example(*pair, index=i), QualityConfig()) for i, pair in enumerate((first, second))
        ]
        vectors = embedder.encode([item.pair for item in items])
        exact = set(fingerprints(items[0])) & set(fingerprints(items[1]))
        near = near_owners(["a", "b"], vectors, [], np.zeros((0, 0), np.float32), 0.9)[1]
        flagged.append(bool(exact) or near is not None)
        cases.append((items[1].example, dup))
    assert precision_recall(f"duplicates ({embedder.name})", cases, flagged) == (1.0, 1.0)
