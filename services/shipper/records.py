"""Pure shaping of a scored example into its export record, its staged line and its split.

A record carries its provenance (example id, source URL, document and chunk, template, model,
scores); a rejected record also says why. Staged lines put the example id and the verdict in
front of the record's JSON, so that merging and filtering never parse the record."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

import orjson

from shared.config import Split
from shared.events import ExampleScored

PASSED, REJECTED = b"P", b"R"
SPLIT_ORDER: tuple[Split, ...] = ("train", "validation", "test")


def record(scored: ExampleScored) -> dict[str, Any]:
    ex = scored.example
    return {
        "id": ex.event_id,
        "input": ex.input,
        "output": ex.output,
        "template": ex.template,
        **({"fields": ex.fields} if ex.fields else {}),
        "metadata": {
            "source_url": ex.url,
            "document_id": ex.document_id,
            "chunk_id": ex.chunk_id,
            "model": ex.model,
            "language": ex.language,
            "simulated": ex.simulated,
            "cost_usd": ex.cost_usd,
            "quality_score": scored.score,
            "scores": scored.scores,
            **({"rejected_because": scored.reasons} if not scored.passed else {}),
        },
    }


def staged_line(scored: ExampleScored) -> bytes:
    """`<example id> TAB <P|R> TAB <record JSON> LF`; JSON never holds a raw tab or newline."""
    verdict = PASSED if scored.passed else REJECTED
    body = orjson.dumps(record(scored))
    return scored.example.event_id.encode() + b"\t" + verdict + b"\t" + body + b"\n"


def key(line: bytes) -> bytes:
    return line[: line.index(b"\t")]


def unpack(line: bytes) -> tuple[bool, bytes]:
    """Whether the example passed, and its record's JSON."""
    start = line.index(b"\t") + 1
    return line[start : start + 1] == PASSED, line[start + 2 :].rstrip(b"\n")


def split_of(document_id: str, shares: Mapping[Split, float]) -> Split:
    """A fixed point in [0, 1) per document, so all of a page's examples share one split."""
    digest = hashlib.blake2b(document_id.encode(), digest_size=8).digest()
    point, edge = int.from_bytes(digest, "big") / 2**64, 0.0
    chosen = [name for name in SPLIT_ORDER if name in shares]
    for name in chosen:
        edge += shares[name]
        if point < edge:
            return name
    return chosen[-1]  # the shares' rounding left a sliver at the top
