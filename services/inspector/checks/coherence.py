"""Coherence: the answer is prose, not word salad, boilerplate or canned filler. The text
rules are the refiner's too (`shared.contract.coherence`); the order rule needs the source chunk."""

from __future__ import annotations

from itertools import pairwise

from services.inspector.checks.base import (
    LABEL_TEMPLATES,
    SOURCE_INPUT_TEMPLATES,
    Finding,
    Item,
    said,
)
from services.inspector.checks.text import words
from shared.contract.coherence import incoherent

BACKEND = "gopher-rules"
# Word salad made of the chunk's own words passes every text rule and groundedness: its
# words are the source's, its adjacent pairs are not. Measured on corpus paragraphs, 20 of
# their words shuffled keep 0.05 of their pairs in the source (0.19 at the 95th
# percentile); hand-written paraphrases of a source keep 0.38 to 1.0.
MIN_ORDERED = 0.25
ORDER_FROM_WORDS = 8  # fewer words have too few pairs to tell
SOURCED = 0.8  # share of the answer's words found in the source: a salad is all of them

Vocabulary = tuple[set[str], set[tuple[str, str]]]


def check_coherence(batch: list[Item]) -> list[Finding]:
    # Examples of one chunk share its text: its words and pairs are gathered once per batch.
    vocabularies: dict[str, Vocabulary] = {}
    found = []
    for item in batch:
        source = item.source if _same_language(item) else None
        if source is not None and source not in vocabularies:
            folded = words(source)
            vocabularies[source] = set(folded), set(pairwise(folded))
        found.append(_coherence(item, vocabularies.get(source or "")))
    return found


def _coherence(item: Item, vocabulary: Vocabulary | None) -> Finding:
    language = item.quality.output_language or item.example.language
    for side, text, answers in _texts(item):
        rule = incoherent(text, language)
        if rule is None and vocabulary is not None and answers:
            rule = _disordered(text, vocabulary)
        if rule is not None:
            where = "" if side == "output" else f" in {side}"
            return Finding(0.0, f"{rule}{where}", failed=True, backend=BACKEND)
    return Finding(1.0, backend=BACKEND)


def _texts(item: Item) -> list[tuple[str, str, bool]]:
    """The generated texts, and whether each answers (a question may reorder its source's
    words freely): each turn of a dialogue, else the output, and the input unless it is the
    source chunk itself (the refiner judged that)."""
    ex = item.example
    if said(ex):
        turns = [t for t in ex.fields.get("turns") or [] if isinstance(t, dict)]
        return [
            (f"turn {i}", str(t.get("content", "")), t.get("role") == "assistant")
            for i, t in enumerate(turns, start=1)
        ]
    found = [] if ex.template in LABEL_TEMPLATES else [("output", ex.output, True)]
    if ex.template not in SOURCE_INPUT_TEMPLATES:
        found.append(("input", ex.input, ex.template in LABEL_TEMPLATES))
    return found


def _disordered(text: str, vocabulary: Vocabulary) -> str | None:
    spoken = words(text)
    if len(spoken) < ORDER_FROM_WORDS:
        return None
    known, pairs = vocabulary
    if sum(w in known for w in spoken) < SOURCED * len(spoken):
        return None  # its own words: groundedness judges those
    mine = list(pairwise(spoken))
    ordered = sum(pair in pairs for pair in mine) / len(mine)
    return f"word_salad(ordered={ordered:.2f})" if ordered < MIN_ORDERED else None


def _same_language(item: Item) -> bool:
    """The source's word order says nothing of a translation."""
    wanted, source = item.quality.output_language, item.example.language
    return not (wanted and source and wanted != source)
