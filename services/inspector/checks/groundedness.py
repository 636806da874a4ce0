"""Groundedness: the answer's content words (and every number in it) are found in its source
chunk, so fluent invented content is caught without a model."""

from __future__ import annotations

from services.inspector.checks.base import LABEL_TEMPLATES, Finding, Item, said
from services.inspector.checks.text import content_words, numbers, stem

BACKEND = "token-overlap"
# A faithful paraphrase keeps most content words, not all: at this overlap it scores 1.
FULL_OVERLAP = 0.8


def check_groundedness(batch: list[Item]) -> list[Finding]:
    # Examples of one chunk share its text: its words are gathered once per batch.
    vocabularies: dict[str, tuple[set[str], set[str]]] = {}
    found = []
    for item in batch:
        source = item.source
        if source is None:
            found.append(Finding(1.0, backend="skipped:no_source"))
            continue
        if _translated(item):
            found.append(Finding(1.0, backend="skipped:cross_lingual"))
            continue
        if source not in vocabularies:
            vocabularies[source] = _vocabulary(source)
        evidence = _evidence(item, vocabularies[source])
        findings = [grounding(claim, *evidence, item) for claim in _claims(item)]
        found.append(min(findings, key=lambda f: (not f.failed, f.score)))
    return found


def _claims(item: Item) -> list[str]:
    """A dialogue's claims are each of its assistant's replies: the least grounded counts."""
    ex = item.example
    replies = said(ex, "assistant")
    if replies:
        return replies
    return [ex.input if ex.template in LABEL_TEMPLATES else ex.output]


def _evidence(item: Item, vocabulary: tuple[set[str], set[str]]) -> tuple[set[str], set[str]]:
    """An instruction's own input is evidence too: "list the terms of this sentence"."""
    ex = item.example
    if ex.template != "instruction":
        return vocabulary
    stems, nums = _vocabulary(ex.input)
    return vocabulary[0] | stems, vocabulary[1] | nums


def _vocabulary(text: str) -> tuple[set[str], set[str]]:
    return {stem(w) for w in content_words(text)}, numbers(text)


def _translated(item: Item) -> bool:
    """Overlap means nothing when the job asks for another language than the source's."""
    wanted, source = item.quality.output_language, item.example.language
    return bool(wanted and source and wanted != source)


def grounding(claim: str, stems: set[str], nums: set[str], item: Item) -> Finding:
    invented = sorted(numbers(claim) - nums)
    if invented:
        return Finding(0.0, f"ungrounded: {invented[0]} not in source", True, BACKEND)
    claimed = {stem(w) for w in content_words(claim)}
    if not claimed:
        return Finding(1.0, backend=BACKEND)
    overlap = len(claimed & stems) / len(claimed)
    score = min(1.0, overlap / FULL_OVERLAP)
    if overlap < item.quality.min_grounding:
        return Finding(score, f"ungrounded(overlap={overlap:.2f})", True, BACKEND)
    return Finding(score, backend=BACKEND)
