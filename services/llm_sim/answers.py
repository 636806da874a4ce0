"""Recognises a template prompt and answers it with JSON drawn from the prompt's own document."""

from __future__ import annotations

import itertools
import json
import random
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from jsonschema.exceptions import SchemaError
from referencing.exceptions import Unresolvable

from shared.contract import stopwords
from shared.contract.templates.errors import TemplateError
from shared.contract.templates.instances import instance
from shared.contract.templates.output_schema import validator

_MARKER = re.compile(r"\[datafactory-template: (\w+)\]")
_DOCUMENT = re.compile(r"<document>\n?(.*)</document>", re.DOTALL)
_COUNT = re.compile(r"exactly (\d+)")
_LABELS = re.compile(r"^Labels: (.+)$", re.MULTILINE)
_EXCHANGES = re.compile(r"Each has (\d+) exchanges")
_SCHEMA = re.compile(r"<output-schema>(.*?)</output-schema>", re.DOTALL)
_SAMPLE = re.compile(r"<sample-item>(.*?)</sample-item>", re.DOTALL)
_MAX_EXCHANGES = 10
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]{3,}")
_MAX_ITEMS = 50
_QUESTIONS = (
    "What does the text say about {}?",
    "According to the passage, what is true of {}?",
    "What is stated about {} in the text?",
)
# A model asked to write in the source's language does; so does the simulator, for the
# languages of the corpus (others get English).
_ASKED = {
    "en": _QUESTIONS,
    "de": ("Was sagt der Text über {}?", "Was wird im Text über {} gesagt?"),
    "fr": ("Que dit le texte sur {} ?", "Qu'est-ce que le passage affirme sur {} ?"),
    "es": ("¿Qué dice el texto sobre {}?", "¿Qué se afirma sobre {} en el texto?"),
    "zh": ("关于{}\uff0c文中说了什么\uff1f",),  # full-width comma and question mark
    "ja": ("{}について本文は何と述べていますか\uff1f",),
}
_KANA = re.compile(r"[\u3040-\u30ff]")
_HAN = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class Prompt:
    template: str | None
    sentences: list[str]
    count: int
    labels: list[str]
    exchanges: int = 1
    schema: dict[str, Any] | None = None  # a user template's item schema
    sample: dict[str, Any] | None = None  # and the item it declares as an example


def read_prompt(texts: list[str]) -> Prompt:
    """What a template prompt asks for; `texts` are the message contents in order."""
    joined = "\n".join(texts)
    marker, document = _MARKER.search(joined), _DOCUMENT.search(joined)
    count, labels = _COUNT.search(joined), _LABELS.search(joined)
    exchanges, schema = _EXCHANGES.search(joined), _SCHEMA.search(joined)
    sample = _SAMPLE.search(joined)
    text = document.group(1).strip() if document else (texts[-1] if texts else "")
    return Prompt(
        template=marker.group(1) if marker else None,
        sentences=[s.strip() for s in _SENTENCE.split(text) if s.strip()] or ["Nothing to say."],
        count=min(int(count.group(1)), _MAX_ITEMS) if count else 1,
        labels=[x.strip() for x in labels.group(1).split(",") if x.strip()] if labels else [],
        exchanges=min(int(exchanges.group(1)), _MAX_EXCHANGES) if exchanges else 1,
        schema=_schema(schema.group(1)) if schema else None,
        sample=_schema(sample.group(1)) if sample else None,
    )


def _schema(text: str) -> dict[str, Any] | None:
    try:
        found = json.loads(text)
    except ValueError:
        return None
    return found if isinstance(found, dict) else None


def answer(prompt: Prompt, rng: random.Random) -> dict[str, Any]:
    writer = _WRITERS.get(prompt.template or "", _echo)
    return writer(prompt, rng)


def with_copies(found: dict[str, Any]) -> dict[str, Any]:
    """A Q&A answer whose first pair is followed by its exact copy and a copy with one
    word of the answer changed; other answers as they are."""
    pairs = found.get("pairs")
    if not pairs:
        return found
    first = pairs[0]
    words = first["answer"].split(" ")
    at = next((i for i, w in enumerate(words) if w.lower() in _SWAPS), len(words) - 1)
    words[at] = _SWAPS.get(words[at].lower(), words[at])
    changed = {"question": first["question"], "answer": " ".join(words)}
    return found | {"pairs": [first, dict(first), changed, *pairs[3:]][: max(3, len(pairs))]}


_SWAPS = {"the": "this", "a": "one", "is": "was", "and": "plus", "of": "from", "in": "within"}


def _topic(sentence: str) -> str:
    words = _WORD.findall(sentence)
    if not words and _HAN.search(sentence):
        return "".join(_HAN.findall(sentence)[:4])
    return max(words, key=len) if words else "the subject"


def _language(text: str) -> str:
    if _KANA.search(text):
        return "ja"
    if len(_HAN.findall(text)) > len(text) // 4:
        return "zh"
    words = text.lower().split()
    hits = {code: sum(w in stop for w in words) for code, stop in stopwords.LANGUAGES.items()}
    best = max(hits, key=lambda code: hits[code])
    return best if best in _ASKED and hits[best] > hits.get("en", 0) else "en"


def _question(sentence: str, rng: random.Random) -> str:
    return rng.choice(_ASKED[_language(sentence)]).format(_topic(sentence))


def _pick(prompt: Prompt, rng: random.Random) -> list[str]:
    start = rng.randrange(len(prompt.sentences))
    return [prompt.sentences[(start + i) % len(prompt.sentences)] for i in range(prompt.count)]


def _qa(prompt: Prompt, rng: random.Random) -> dict[str, Any]:
    return {"pairs": [{"question": _question(s, rng), "answer": s} for s in _pick(prompt, rng)]}


def _summaries(prompt: Prompt, rng: random.Random) -> dict[str, Any]:
    lead = prompt.sentences
    return {"summaries": [{"summary": " ".join(lead[: i + 1])} for i in range(prompt.count)]}


def _label(sentence: str, labels: list[str], rng: random.Random) -> str:
    lowered = sentence.casefold()
    named = [label for label in labels if label.casefold() in lowered]
    return named[0] if named else rng.choice(labels or ["other"])


def _classify(prompt: Prompt, rng: random.Random) -> dict[str, Any]:
    passages = _pick(prompt, rng)
    return {"items": [{"text": s, "label": _label(s, prompt.labels, rng)} for s in passages]}


def _instruction(sentence: str, rng: random.Random) -> dict[str, str]:
    topic = _topic(sentence)
    if rng.random() < 0.5:
        return {
            "instruction": f"Explain what the text says about {topic}.",
            "input": "",
            "response": sentence,
        }
    terms = sorted(set(_WORD.findall(sentence)), key=len, reverse=True)[:4] or [topic]
    return {
        "instruction": "List the key terms of the following sentence.",
        "input": sentence,
        "response": "The key terms are " + ", ".join(terms) + ".",
    }


def _instructions(prompt: Prompt, rng: random.Random) -> dict[str, Any]:
    return {"examples": [_instruction(s, rng) for s in _pick(prompt, rng)]}


def _conversations(prompt: Prompt, rng: random.Random) -> dict[str, Any]:
    """Each conversation walks on through the document: a question on a sentence's topic,
    answered with the sentence."""
    start = rng.randrange(len(prompt.sentences))
    out = []
    for i in range(prompt.count):
        turns = []
        for k in range(prompt.exchanges):
            sentence = prompt.sentences[(start + i + k) % len(prompt.sentences)]
            question = _question(sentence, rng)
            turns += [
                {"role": "user", "content": question},
                {"role": "assistant", "content": sentence},
            ]
        out.append({"turns": turns})
    return {"conversations": out}


def _items(prompt: Prompt, rng: random.Random) -> dict[str, Any]:
    """A user template's items: its schema filled in, each string a sentence of the document
    (the next one for each field, so an item's input and output differ)."""
    if prompt.schema is None:
        return _echo(prompt, rng)
    start, schema = rng.randrange(len(prompt.sentences)), prompt.schema
    try:
        items = [instance(schema, _sentences(prompt, start + i)) for i in range(prompt.count)]
    except TemplateError:  # a schema too large to fill
        items = []
    if prompt.sample is not None and not (items and all(_fits(schema, i) for i in items)):
        items = [prompt.sample] * prompt.count  # a schema our filling cannot meet
    return {"items": items}


def _fits(schema: dict[str, Any], item: Any) -> bool:
    try:  # the schema read from a prompt: validated without fetching anything it names
        return bool(validator(schema).is_valid(item))
    except (SchemaError, Unresolvable, RecursionError):
        return False


def _sentences(prompt: Prompt, start: int) -> Callable[[str], str]:
    taken = itertools.count(start)
    return lambda path: prompt.sentences[next(taken) % len(prompt.sentences)]


def _echo(prompt: Prompt, rng: random.Random) -> dict[str, Any]:
    return {"text": prompt.sentences[0]}


_WRITERS: Mapping[str, Callable[[Prompt, random.Random], dict[str, Any]]] = MappingProxyType(
    {
        "qa": _qa,
        "summarization": _summaries,
        "classification": _classify,
        "instruction": _instructions,
        "conversation": _conversations,
        "user": _items,
    }
)
