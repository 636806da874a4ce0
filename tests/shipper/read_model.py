"""The figures a dataset card shows, computed independently from the gateway's SQLite read
model, so tests can check that every number on the card equals the database's."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

Table = dict[str, Any]


def _one(db: sqlite3.Connection, sql: str, *args: Any) -> Any:
    return db.execute(sql, args).fetchone()[0]


def _host(url: str | None) -> str:
    return (urlsplit(url).hostname or "unknown") if url else "unknown"


def _ranked(counts: Counter[str]) -> Table:
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def _outcomes(db: sqlite3.Connection, job: str, stage: str) -> Table:
    rows = db.execute(
        "SELECT outcome, reason, COUNT(*) FROM outcomes WHERE job_id = ? AND stage = ?"
        " AND outcome != 'ok' GROUP BY outcome, reason ORDER BY outcome, reason",
        (job, stage),
    )
    return {f"{outcome}: {reason}": n for outcome, reason, n in rows}


def _ok(db: sqlite3.Connection, job: str, stage: str) -> int:
    sql = "SELECT COUNT(*) FROM outcomes WHERE job_id = ? AND stage = ? AND outcome = 'ok'"
    return int(_one(db, sql, job, stage))


def _kind(reason: str) -> str:
    cut = [i for i, c in enumerate(reason) if c in "(: "]
    return reason[: cut[0]] if cut and cut[0] else reason


def _scores(details: str) -> dict[str, float]:
    """Each check's score, whether the row holds them alone or beside their backends."""
    found = json.loads(details)
    return found["scores"] if isinstance(found.get("scores"), dict) else found  # type: ignore[no-any-return]


def _copy_rejected(row: Any) -> Any:
    """A copy an export left out counts as rejected, for the export's reason."""
    if row[5] is None:
        return row
    kind = "duplicate_of" if row[6] == "exact" else "near_duplicate_of"
    return (False, row[1], row[2], json.dumps([kind]), row[4], row[5], row[6])


def _duplicates(rows: list[Any], quality: dict[str, Any]) -> Table:
    if "duplicates" not in quality["checks"]:
        return {"removed at export": "no"}
    embedded = Counter(json.loads(r[2]).get("backends", {}).get("duplicates") for r in rows)
    embedded.pop(None, None)
    rule = {
        "removed at export": "yes",
        "near-duplicate cosine": quality["near_duplicate_threshold"],
        "scope": quality["dedup_scope"],
    }
    return rule | {f"examples embedded by {k}": n for k, n in _ranked(embedded).items()}


def quality(db: sqlite3.Connection, job: str, config: dict[str, Any]) -> dict[str, Table]:
    rows = [
        _copy_rejected(row)
        for row in db.execute(
            "SELECT passed_qc, quality_score, quality_details, reasons, url, duplicate_of,"
            " duplicate_similarity FROM training_examples"
            " WHERE job_id = ? AND passed_qc IS NOT NULL",
            (job,),
        ).fetchall()
    ]
    minimum = config["quality"]["min_score"]
    rejected = [r for r in rows if not r[0]]
    below = Counter(c for r in rejected for c, s in _scores(r[2]).items() if s < minimum)
    reasons = Counter(k for r in rejected for k in {_kind(x) for x in json.loads(r[3])})
    bins = Counter(min(9, int(r[1] * 10)) for r in rows)
    mean = sum(r[1] for r in rows) / len(rows) if rows else 0.0
    summary = {
        "checks": ", ".join(config["quality"]["checks"]),
        "min score": minimum,
        "examples scored": len(rows),
        "examples not scored": sum(_outcomes(db, job, "inspector").values()),
        "passed": len(rows) - len(rejected),
        "rejected": len(rejected),
        "pass rate": f"{(len(rows) - len(rejected)) / len(rows) if rows else 0:.1%}",
        "mean score": f"{mean:.3f}",
    }
    return {
        "quality": summary,
        "rejections per check": _ranked(below),
        "rejection reasons": _ranked(reasons),
        "duplicate removal": _duplicates(rows, config["quality"]),
        "score distribution": {f"{i / 10:.1f}-{(i + 1) / 10:.1f}": bins[i] for i in range(10)},
        "examples not scored": _outcomes(db, job, "inspector"),
    }


def figures(db_path: Path, job: str) -> dict[str, dict[str, Table]]:
    with sqlite3.connect(db_path) as db:
        url_count, raw_config = db.execute(
            "SELECT url_count, config FROM jobs WHERE id = ?", (job,)
        ).fetchone()
        config = json.loads(raw_config)
        docs = db.execute(
            "SELECT url, extractor, chunk_count, dropped_count FROM raw_documents WHERE job_id = ?",
            (job,),
        ).fetchall()
        passed_urls = [r[0] for r in db.execute(
            "SELECT url FROM training_examples WHERE job_id = ? AND passed_qc = 1"
            " AND duplicate_of IS NULL",
            (job,),
        )]  # fmt: skip
        drops = Counter(r[0] for r in db.execute(
            "SELECT drop_reason FROM chunks WHERE job_id = ? AND status = 'dropped'", (job,)
        ))  # fmt: skip
        models = sorted({r[0] for r in db.execute(
            "SELECT model FROM chunks WHERE job_id = ? AND model IS NOT NULL", (job,)
        )})  # fmt: skip
        prompt, completion, cost = db.execute(
            "SELECT prompt_tokens, completion_tokens, cost_total FROM jobs WHERE id = ?", (job,)
        ).fetchone()
        spider = _outcomes(db, job, "spider")
        sources = {
            "pages": {
                "URLs submitted": url_count,
                "invalid URLs": sum(_outcomes(db, job, "gateway").values()),
                "pages fetched": _ok(db, job, "spider"),
                "pages not fetched": sum(spider.values()),
                "robots.txt respected": "yes" if config["scraping"]["respect_robots_txt"] else "no",
                "pages disallowed by robots.txt": spider.get("skipped: robots_disallowed", 0),
            },
            "pages not fetched": spider,
            "pages fetched per domain": _ranked(Counter(_host(d[0]) for d in docs)),
            "examples per domain": _ranked(Counter(_host(u) for u in passed_urls)),
        }
        processing = {
            "documents": {
                "documents refined": _ok(db, job, "refiner"),
                "pages not refined": sum(_outcomes(db, job, "refiner").values()),
                "chunk size (tokens)": config["processing"]["chunk_size"],
                "chunk overlap (tokens)": config["processing"]["chunk_overlap"],
                "chunks made": sum(d[2] or 0 for d in docs),
                "chunks dropped": sum(d[3] or 0 for d in docs),
            },
            "extractors": _ranked(Counter(d[1] for d in docs if d[1])),
            "chunks dropped per reason": _ranked(drops),
            "pages not refined": _outcomes(db, job, "refiner"),
        }
        generated = _one(db, "SELECT COALESCE(SUM(examples), 0) FROM chunks WHERE job_id = ?", job)
        generation = {
            "generation": {
                "models": ", ".join(models) or "none",
                "template": config["generation"]["template"],
                "examples per chunk": config["generation"]["examples_per_chunk"],
                "chunks generated": _ok(db, job, "factory"),
                "chunks not generated": sum(_outcomes(db, job, "factory").values()),
                "examples generated": generated,
                "prompt tokens": prompt,
                "completion tokens": completion,
                "cost (USD)": f"{cost:.6f}",
            },
            "chunks not generated": _outcomes(db, job, "factory"),
        }
        return {
            "sources": sources,
            "processing": processing,
            "generation": generation,
            "quality": quality(db, job, config),
        }
