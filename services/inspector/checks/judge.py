"""LLM judge (off unless a job names it): a rubric prompt per example and its reading."""

from __future__ import annotations

import json
import re

from services.inspector.checks.base import Finding, Item

RUBRIC = """You grade one training example for a language model. Score it from 1 to 5:
5 = correct, supported by the source, self-contained, useful; 1 = wrong, invented, or useless.
Answer with JSON only: {"score": <1-5>, "reason": "<one short sentence>"}"""
_OBJECT = re.compile(r"\{.*?\}", re.DOTALL)
PASSING = 3  # of 5


def messages(item: Item) -> list[dict[str, str]]:
    ex = item.example
    parts = [f"Source:\n{item.source}"] if item.source else []
    parts += [f"Input:\n{ex.input}", f"Output:\n{ex.output}"]
    return [
        {"role": "system", "content": RUBRIC},
        {"role": "user", "content": "\n\n".join(parts)},
    ]


def judged(answer: str, backend: str) -> Finding:
    """The judge's answer as a finding; an unreadable answer fails the check, not the item."""
    try:
        data = json.loads(_OBJECT.search(answer).group(0))  # type: ignore[union-attr]
        grade = float(data["score"])
    except (AttributeError, ValueError, KeyError, TypeError):
        return Finding(0.0, "judge_unreadable", failed=True, backend=backend)
    score = max(0.0, min(1.0, (grade - 1) / 4))
    if grade < PASSING:
        why = str(data.get("reason", ""))[:120]
        return Finding(score, f"judge({grade:.0f}/5): {why}", failed=True, backend=backend)
    return Finding(score, backend=backend)
