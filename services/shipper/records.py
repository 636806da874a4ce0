"""Pure shaping of a scored example into its staged row, its export record and its split.

A staged row is flat and typed (`STAGED`): exports read it as columns, tally the card over
them, write CSV and Parquet from them, and write the record and provenance JSON rendered here
as they are. What it takes from the job's config (the checks below `min_score`) is fixed at
submission. The provenance: example id, source URL, document and chunk, template, model and
scores; a rejected example's also says why."""

from __future__ import annotations

import bisect
import hashlib
import itertools
from collections.abc import Mapping
from typing import Any

import orjson
import pyarrow as pa

from services.shipper.stats import domain, reason_kind
from shared.contract.config import Split
from shared.contract.events import ExampleScored

Row = dict[str, Any]
SPLIT_ORDER: tuple[Split, ...] = ("train", "validation", "test")

TABULAR = (
    ("id", pa.string()),
    ("input", pa.string()),
    ("output", pa.string()),
    ("template", pa.string()),
    ("source_url", pa.string()),
    ("document_id", pa.string()),
    ("chunk_id", pa.string()),
    ("model", pa.string()),
    ("language", pa.string()),
    ("simulated", pa.bool_()),
    ("quality_score", pa.float64()),
    ("scores", pa.string()),  # JSON text: each check's score
    ("fields", pa.string()),  # JSON text: the template's parts of the example
)
TABULAR_COLUMNS = tuple(name for name, _ in TABULAR)
STAGED = pa.schema(
    [
        *TABULAR,
        ("passed", pa.bool_()),
        ("domain", pa.string()),
        ("point", pa.float64()),  # the document's place in [0, 1): its split
        ("kinds", pa.list_(pa.string())),  # rejection reasons, as kinds
        ("below", pa.list_(pa.string())),  # checks that scored under the job's min_score
        # Rendered once at staging, written as they are: JSON text.
        ("metadata", pa.string()),  # provenance and scores (and reasons, if rejected)
        ("record", pa.string()),  # the JSON and JSON Lines record
        # What duplicate removal compares (empty when the job does not ask for it).
        ("fingerprints", pa.list_(pa.string())),
        ("vector", pa.string()),
        ("embedding", pa.string()),
    ]
)


def point(document_id: str) -> float:
    """A fixed place per document, so that all of a page's examples share one split."""
    digest = hashlib.blake2b(document_id.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def splits_at(points: list[float], shares: Mapping[Split, float]) -> list[str]:
    """Each document's split: its point falls in the split's share of [0, 1)."""
    names = [name for name in SPLIT_ORDER if name in shares]
    edges = list(itertools.accumulate(shares[name] for name in names))
    last = len(names) - 1  # the shares' rounding may leave a sliver at the top
    return [names[min(last, bisect.bisect_right(edges, p))] for p in points]


def metadata(scored: ExampleScored) -> Row:
    """Where an example came from and how it scored; why, if it was rejected."""
    ex = scored.example
    meta = {
        "source_url": ex.url,
        "document_id": ex.document_id,
        "chunk_id": ex.chunk_id,
        "model": ex.model,
        "language": ex.language,
        "simulated": ex.simulated,
        "cost_usd": ex.cost_usd,
        "quality_score": scored.score,
        "scores": scored.scores,
    }
    if not scored.passed:
        return meta | {"rejected_because": scored.reasons}
    # A log written before warnings had them among the reasons of a passed example.
    warnings = scored.warnings + scored.reasons
    return meta | {"warnings": warnings} if warnings else meta


# Provenance a staged row also keeps as columns of its own (CSV, Parquet, filters).
FLAT_METADATA = (
    "source_url",
    "document_id",
    "chunk_id",
    "model",
    "language",
    "simulated",
    "quality_score",
)


def _plain(scored: ExampleScored) -> Row:
    ex = scored.example
    return {"id": ex.event_id, "input": ex.input, "output": ex.output, "template": ex.template}


def _record(scored: ExampleScored, meta: Row) -> Row:
    fields = scored.example.fields
    return _plain(scored) | ({"fields": fields} if fields else {}) | {"metadata": meta}


def record(scored: ExampleScored) -> Row:
    """The export record of JSON and JSON Lines: the example, its parts and its provenance."""
    return _record(scored, metadata(scored))


def row(scored: ExampleScored, min_score: float) -> Row:
    ex = scored.example
    meta = metadata(scored)
    return (
        _plain(scored)
        | {name: meta[name] for name in FLAT_METADATA}
        | {
            "scores": orjson.dumps(scored.scores).decode(),
            "fields": orjson.dumps(ex.fields).decode(),
            "passed": scored.passed,
            "domain": domain(ex.url),
            "point": point(ex.document_id),
            "kinds": sorted({reason_kind(r) for r in scored.reasons}) if not scored.passed else [],
            "below": sorted(c for c, s in scored.scores.items() if s < min_score),
            "metadata": orjson.dumps(meta).decode(),
            "record": orjson.dumps(_record(scored, meta)).decode(),
            "fingerprints": scored.fingerprints,
            "vector": scored.vector,
            "embedding": scored.backends.get("duplicates"),
        }
    )


def staged_line(scored: ExampleScored, min_score: float) -> bytes:
    """`<example id> TAB <row JSON> LF`; JSON never holds a raw tab or newline."""
    return scored.example.event_id.encode() + b"\t" + orjson.dumps(row(scored, min_score)) + b"\n"


def key(line: bytes) -> bytes:
    return line[: line.index(b"\t")]


def body(line: bytes) -> bytes:
    return line[line.index(b"\t") + 1 :]
