"""Tolerant reading of an LLM answer: the first JSON object in it, fences and prose ignored."""

from __future__ import annotations

import json
import re
from typing import Any

from shared.contract.templates.errors import TemplateOutputError

_FENCE = re.compile(r"```(?:json|JSON)?\s*\n?(.*?)```", re.DOTALL)
_MAX_STARTS = 20  # bounded work on long prose full of braces


def first_json_object(answer: str) -> dict[str, Any]:
    """The first JSON object in `answer`, looking inside ```json fences first."""
    for candidate in (*_FENCE.findall(answer), answer):
        found = _scan(candidate)
        if found is not None:
            return found
    if not answer.strip():
        raise TemplateOutputError("empty_answer")
    raise TemplateOutputError("no_json_object", _excerpt(answer))


def _scan(text: str) -> dict[str, Any] | None:
    decoder = json.JSONDecoder()
    start = text.find("{")
    for _ in range(_MAX_STARTS):
        if start < 0:
            return None
        try:
            value, _end = decoder.raw_decode(text, start)
        except json.JSONDecodeError:
            start = text.find("{", start + 1)
            continue
        if isinstance(value, dict):
            return value
        start = text.find("{", start + 1)
    return None


def _excerpt(text: str, limit: int = 200) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit] + "…"
