"""What each field of each export format holds, for the dataset card."""

from __future__ import annotations

_PROVENANCE = [
    ("template", "the prompt template that made the example"),
    ("metadata.source_url", "the page the example came from"),
    ("metadata.document_id / chunk_id", "the page and the chunk of its text, as on the log"),
    ("metadata.model", "the LLM that wrote the example"),
    ("metadata.language", "the chunk's language (ISO 639-1), when detected"),
    ("metadata.simulated", "true when the LLM simulator wrote it"),
    ("metadata.cost_usd", "the example's share of its LLM call's cost"),
    ("metadata.quality_score / scores", "the inspector's score and each check's score"),
]
_PLAIN = [
    ("id", "the example's id (records are sorted by it)"),
    ("input", "what the model is given"),
    ("output", "what the model should answer"),
    ("fields", "the template's own parts of the example, e.g. question and answer"),
    *_PROVENANCE,
]
_TABULAR = [
    ("id, input, output, template", "as in JSON Lines"),
    ("source_url, document_id, chunk_id, model, language, simulated", "provenance, flat"),
    ("quality_score", "the inspector's score"),
    ("scores, fields", "JSON text: each check's score; the template's parts"),
]
_CSV_NOTE = (
    "Text cells starting with `=`, `+`, `-`, `@`, tab or carriage return get a leading `'`, "
    "so that no spreadsheet runs them as formulas."
)
_CHAT = {
    "openai": [
        ("messages", "system (the template's task), user (the request), assistant (the answer)"),
        ("*.provenance.jsonl", "line n: the id and provenance of line n of the data file"),
    ],
    "sharegpt": [
        ("id", "the example's id"),
        ("conversations", "turns `{from, value}`: system, human, gpt"),
        *_PROVENANCE,
    ],
    "alpaca": [
        ("id", "the example's id"),
        ("instruction / input / output", "the task, its optional input, the answer"),
        ("system", "the template's task as a system prompt"),
        *_PROVENANCE,
    ],
}
FIELDS = {"jsonl": _PLAIN, "json": _PLAIN, "csv": _TABULAR, "parquet": _TABULAR, **_CHAT}


def describe(fmt: str) -> list[str]:
    rows = [f"| `{name}` | {meaning} |" for name, meaning in FIELDS[fmt]]
    note = ["", _CSV_NOTE] if fmt == "csv" else []
    return ["| field | holds |", "|---|---|", *rows, *note]
