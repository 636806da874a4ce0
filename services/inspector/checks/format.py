"""Format: the example fits its template's schema and length bounds, says something, and
its answer is an answer (not empty, a placeholder, one token or the question again)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from services.inspector.checks.base import LABEL_TEMPLATES, PASS, Finding, Item, said
from services.inspector.checks.text import normalise, token_count, words
from shared.contract.templates import UnknownTemplateError, get_template

_PLACEHOLDERS = frozenset(
    "n a|na|none|null|nil|tbd|todo|unknown|answer|question|response|text|example|"  # noqa: SIM905
    "lorem ipsum|xxx|your answer here|insert answer here|no answer".split("|")
)
_TEMPLATE_MARKS = re.compile(r"\{\{|\}\}|<insert|\[insert|lorem ipsum", re.IGNORECASE)
_INTERROGATIVES = frozenset(
    """what which who whom whose when where why how is are was were do does did can could 
    should would will may name list explain describe define identify give state was wer 
    wie wo wann warum welche welcher welches wieso weshalb nenne erkläre beschreibe que 
    qui quoi quel quelle quels comment pourquoi où quand qué cuál cuáles quién cómo 
    dónde cuándo por""".split()  # noqa: SIM905
)
_QUESTION_MARKS = ("?", "\uff1f", "¿", "؟")  # with the full-width one


@dataclass(frozen=True)
class Bounds:
    input: tuple[int, int]
    output: tuple[int, int]


# Characters per side. An answer under 15 characters ("2.", "Dr.", "No.") teaches nothing.
BOUNDS = {
    "qa": Bounds((10, 1_000), (15, 4_000)),
    "instruction": Bounds((10, 8_000), (15, 8_000)),
    "summarization": Bounds((50, 100_000), (30, 8_000)),
    "classification": Bounds((20, 4_000), (1, 100)),
    # Input: the dialogue before the last reply; output: that reply. Each turn has its own.
    "conversation": Bounds((10, 60_000), (15, 8_000)),
}
TURN_BOUNDS = {"user": (5, 4_000), "assistant": (15, 8_000)}
_ANY = Bounds((1, 100_000), (1, 100_000))


def check_format(batch: list[Item]) -> list[Finding]:
    return [_format(item) for item in batch]


def _format(item: Item) -> Finding:
    ex = item.example
    checks = (_bounds(item), _schema(ex.template, ex.fields), _degenerate(item), _turns(item))
    for problem in checks:
        if problem:
            return Finding(0.0, problem, failed=True)
    if ex.template == "qa" and not is_question(ex.input):
        return Finding(0.5, "not_a_question")
    return PASS


def _schema(template: str, fields: dict[str, Any]) -> str | None:
    try:
        output = get_template(template).output
    except UnknownTemplateError:
        return None  # a user's template declares no item schema we could check
    [(name, _)] = output.model_fields.items()  # every answer is a list of items
    try:
        output.model_validate({name: [fields]})
    except ValidationError as exc:
        where = ".".join(str(p) for p in exc.errors()[0]["loc"][2:]) or "item"
        return f"schema: {where} {exc.errors()[0]['msg']}"[:200]
    return None


def _bounds(item: Item) -> str | None:
    ex = item.example
    bounds = BOUNDS.get(ex.template, _ANY)
    for side, text, (low, high) in (
        ("input", ex.input, bounds.input),
        ("output", ex.output, bounds.output),
    ):
        size = len(text.strip())
        if size == 0:
            return f"empty_{side}"
        if not low <= size <= high:
            return f"{side}_length {size} not in [{low}, {high}]"
    return None


def _degenerate(item: Item) -> str | None:
    ex = item.example
    sides = [("input", ex.input)] + (
        [] if ex.template in LABEL_TEMPLATES else [("output", ex.output)]
    )
    for side, text in sides:
        if is_placeholder(text):
            return f"placeholder_{side}"
    if ex.template not in LABEL_TEMPLATES and token_count(ex.output) < 2:
        return "one_token_output"
    out, inp = normalise(ex.output), normalise(ex.input)
    if out == inp or (ex.template in {"qa", "instruction"} and out in inp):
        return "output_repeats_input"
    return None


def _turns(item: Item) -> str | None:
    """Every turn of a dialogue says something of its own: no empty, placeholder or
    one-token reply, and no reply that repeats its request."""
    ex = item.example
    turns = (ex.fields.get("turns") or []) if said(ex) else []
    for i, turn in enumerate(turns, start=1):
        role, text = str(turn.get("role")), str(turn.get("content", ""))
        low, high = TURN_BOUNDS.get(role, (1, 8_000))
        if not low <= len(text.strip()) <= high:
            return f"turn {i} ({role}) length {len(text.strip())} not in [{low}, {high}]"
        if is_placeholder(text):
            return f"turn {i} ({role}) placeholder"
        if role == "assistant" and token_count(text) < 2:
            return f"turn {i} one_token_reply"
        if role == "assistant" and i > 1 and normalise(text) == normalise(turns[i - 2]["content"]):
            return f"turn {i} repeats its request"
    return None


def is_placeholder(text: str) -> bool:
    flat = normalise(text)
    return not flat or flat in _PLACEHOLDERS or bool(_TEMPLATE_MARKS.search(text))


def is_question(text: str) -> bool:
    stripped = text.strip()
    first = next(iter(words(stripped)), "")
    return any(m in stripped for m in _QUESTION_MARKS) or first in _INTERROGATIVES
