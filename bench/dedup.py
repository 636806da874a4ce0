"""Export-time duplicate removal of N passed examples (default 100,000) against reading the
same staged columns with nothing decided.

The examples are sentence pairs from the corpus's main text, embedded by the default
embedding (wordllama joined with hashed TF-IDF), with 2 % exact copies and 2 % copies with
one word changed planted among them; they are staged as the shipper stages them and merged
into columns once. Then, each timed: the baseline reads the columns (ids and vectors); ours
reads them, builds the pool and decides the copies (`services.shipper.dedup`), as an export
does. Prints the seconds of each, the planted copies found, and the ratio to the 10 s target.
Last line: `ratio: <ours / baseline seconds>`."""

from __future__ import annotations

import argparse
import random
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

import trafilatura

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import CORPUS
from services.inspector.checks.base import Item
from services.inspector.checks.duplicates import Described, fingerprints
from services.inspector.embeddings import Embedders
from services.inspector.logic import Verdict
from services.inspector.outcomes import scored
from services.shipper import columns, dedup, staging
from shared.contract.config import QualityConfig
from shared.contract.events import ExampleGenerated, ExampleScored
from shared.contract.vectors import pack

TARGET_S = 10.0
SENTENCE = re.compile(r"(?<=[.!?])\s+")


def sentences() -> list[str]:
    found: list[str] = []
    for page in sorted(CORPUS.glob("*.html")):
        text = trafilatura.extract(page.read_text("utf-8", errors="replace")) or ""
        found += [s for s in SENTENCE.split(text) if 40 <= len(s) <= 300]
    return sorted(set(found))


def pairs(n: int, rng: random.Random) -> tuple[list[tuple[str, str]], int]:
    """n question/answer pairs, the last 4 % copies (half exact, half one word changed) of
    earlier ones; returns them and how many are copies. The corpus has some 4,700 such
    sentences: past them, a third of each pair's words are swapped for others of the
    corpus, so pairs made of one sentence stay apart."""
    pool = sentences()
    vocabulary = sorted({w for s in pool for w in s.split()})
    base = n - n * 4 // 100

    def varied(text: str) -> str:
        return " ".join(w if rng.random() > 0.33 else rng.choice(vocabulary) for w in text.split())

    made = []
    for i in range(base):
        q, a = pool[i % len(pool)], pool[(i * 11 + 3) % len(pool)]
        made.append((q, a) if i < len(pool) else (varied(q), varied(a)))
    for k in range(n - base):
        q, a = made[rng.randrange(base)]
        if k % 2:
            words = a.split()
            words[rng.randrange(len(words))] = "indeed"
            a = " ".join(words)
        made.append((q, a))
    return made, n - base


def examples(texts: list[tuple[str, str]]) -> list[ExampleScored]:
    quality = QualityConfig()
    embedder = Embedders(None).get(quality.embedding_backend)
    made = []
    for start in range(0, len(texts), 4096):
        batch = texts[start : start + 4096]
        generated = [
            ExampleGenerated(
                event_id=f"ex{start + i:08d}",
                job_id="bench",
                chunk_id="c",
                document_id="d",
                url="http://127.0.0.1/",
                template="qa",
                input=q,
                output=a,
                model="m",
                prompt_tokens=1,
                completion_tokens=1,
                cost_usd=0.0,
                language="en",
            )
            for i, (q, a) in enumerate(batch)
        ]
        items = [Item(ex, quality) for ex in generated]
        vectors = embedder.encode([item.pair for item in items])
        for item, vector in zip(items, vectors, strict=True):
            info = Described(fingerprints(item), pack(vector), embedder.name)
            verdict = Verdict({}, 0.9, True, [], [], {})
            event = scored(item.example, verdict, 0.0, info).event
            assert isinstance(event, ExampleScored)
            made.append(event)
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=100_000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-dedup-"))
    try:
        texts, planted = pairs(args.n, random.Random(7))
        made = examples(texts)
        for start in range(0, len(made), 200):
            staging.append(work, "bench", f"{start:08d}-0", made[start : start + 200], 0.7)
        columns.arrow_file(work, "bench")
        t = time.perf_counter()
        read = sum(t.select(["id", "vector"]).num_rows for t in columns.read(work, "bench"))
        baseline = time.perf_counter() - t
        t = time.perf_counter()
        removed = dedup.removed(dedup.pool_of(columns.read(work, "bench")), 0.75)
        ours = time.perf_counter() - t
    finally:
        shutil.rmtree(work, ignore_errors=True)
    planted_ids = {f"ex{i:08d}" for i in range(len(texts) - planted, len(texts))}
    found = len(planted_ids & set(removed))
    print(f"examples: {read}; planted copies: {planted}, removed: {found}")
    exact = sum(h == "exact" for _, h in removed.values())
    print(f"removed in all: {len(removed)} ({exact} exact; the rest near, e.g. a varied sentence)")
    print(f"baseline (read the columns): {baseline:.2f} s")
    print(f"dedup (read, pool, decide): {ours:.2f} s; {ours / TARGET_S:.2f} of the 10 s target")
    print(f"ratio: {ours / baseline:.2f}")


if __name__ == "__main__":
    main()
