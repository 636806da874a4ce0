"""Each check separates the labelled set's cases; precision and recall are printed and held to
a floor (run with -s to see them)."""

from __future__ import annotations

import pytest

from services.inspector import logic
from services.inspector.checks.base import Item
from services.inspector.checks.duplicates import fingerprints
from services.inspector.embeddings import Embedder, Embedders
from services.shipper import dedup
from shared.contract.config import QualityConfig
from tests.inspector import labelled, paraphrases
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


EMBEDDERS = Embedders(None)


def is_copy(first: Item, second: Item, embedder: Embedder, threshold: float) -> bool:
    """The export's own decision over a pool of the two examples."""
    pool = dedup.Pool()
    vectors = embedder.encode([first.pair, second.pair])
    for item, vector in zip((first, second), vectors, strict=True):
        pool.add(item.example.event_id, 1.0, fingerprints(item), vector, embedder.name)
    return bool(dedup.removed(pool, threshold))


@pytest.mark.parametrize("choice", ["auto", "tfidf", "wordllama"])
def test_duplicates_separate_copies_from_distinct_pairs(choice: str) -> None:
    embedder, threshold = EMBEDDERS.get(choice), QualityConfig().near_duplicate_threshold
    flagged, cases = [], []
    for first, second, dup in labelled.DUPLICATES:
        items = [
            Item(example(*pair, index=i), QualityConfig()) for i, pair in enumerate((first, second))
        ]
        flagged.append(is_copy(items[0], items[1], embedder, threshold))
        cases.append((items[1].example, dup))
    assert precision_recall(f"duplicates ({embedder.name})", cases, flagged) == (1.0, 1.0)


@pytest.mark.parametrize(
    ("choice", "floor"), [("auto", (1.0, 0.9)), ("tfidf", (0.9, 0.75)), ("wordllama", (0.9, 0.9))]
)
def test_paraphrases_are_told_from_other_facts_on_one_topic(
    choice: str, floor: tuple[float, float]
) -> None:
    """The default embedding is the one that does best here (see embeddings.Joined)."""
    embedder = EMBEDDERS.get(choice)
    threshold = {"auto": 0.75, "tfidf": 0.75, "wordllama": 0.8}[choice]
    flagged, cases = [], []
    for i, (first, second, same) in enumerate(paraphrases.EN + paraphrases.DE):
        (question_a, answer_a), (question_b, answer_b) = (t.split("\n", 1) for t in (first, second))
        items = [Item(example(question_a, answer_a, index=2 * i), QualityConfig())]
        items.append(Item(example(question_b, answer_b, index=2 * i + 1), QualityConfig()))
        flagged.append(is_copy(items[0], items[1], embedder, threshold))
        cases.append((items[1].example, same))
    precision, recall = precision_recall(f"paraphrases ({embedder.name})", cases, flagged)
    assert precision >= floor[0] and recall >= floor[1]
