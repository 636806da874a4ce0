"""What a user keeps from a job over real pages with default settings: copies, junk and lost
pages, and the estimate against the actual cost.

Corpus pages, cycled to `--pages` (each copy made distinct, bench/e2e_web.py), go through the
stack `datafactory up` starts with the simulator twice:
- as it answers by default: the export's exact-copy outputs (same normalised output) and its
  near copies (two kept examples of one chunk whose answers differ by one word at most) are
  counted, against the same counts over everything the inspector passed (the baseline: what
  the export held before duplicates were removed at export);
- answering every Q&A chunk with a pair, its exact copy and the pair with one word changed
  (`--planted-copies`): how many of those trios reach the dataset whole, and how many exact
  copies and one-word paraphrases are kept.
Also, from the first run: pages skipped as near-empty that hold 200 or more words of main
text (trafilatura on the page as served), and the job's estimate top against its cost.
Last line: `ratio: <near-copy pairs kept ÷ near-copy pairs passed by the inspector>`."""

from __future__ import annotations

import argparse
import itertools
import shutil
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import orjson
import trafilatura

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.e2e import Gateway, job_config, simulator_up, start_stack, wait_until
from bench.e2e_web import Page, cycled_pages, publish, serve
from services.inspector.checks.text import normalise
from services.shipper.stats import reason_kind

HOSTS = 50


def run_job(data_dir: Path, pages: list[Page], planted: bool) -> tuple[dict[str, Any], Path]:
    stack = start_stack(data_dir, 20, 5, ("--planted-copies",) if planted else ())
    try:
        wait_until(lambda: simulator_up(stack.env["DATAFACTORY_LLM_API_BASE"]), "sim", stack, 30)
        gateway = Gateway(stack)
        body = {"urls": [p.url for p in pages], "config": job_config(32)}
        asked = gateway.http.post("/api/estimate", json=body).json()["cost_usd"]
        _, job = gateway.wait(gateway.submit(pages, job_config(32)))
        job_id = job["id"]
        wait_until(lambda: bool(gateway.job(job_id)["exports"]), "export", stack, 120)
        job = gateway.job(job_id)
        logs = gateway.http.get(f"/api/jobs/{job_id}/logs", params={"limit": 1000}).json()
        job["logs"], job["asked"] = logs, asked
        return job, stack.data_dir
    finally:
        stack.stop()


def records(data_dir: Path, job: dict[str, Any]) -> tuple[list[Any], list[Any]]:
    data = data_dir / job["exports"][-1]["path"]
    kept = [orjson.loads(line) for line in data.read_bytes().splitlines()]
    rejected_file = data.parent / "rejected.jsonl"
    rejected = [orjson.loads(line) for line in rejected_file.read_bytes().splitlines()]
    return kept, rejected


def one_word_apart(a: str, b: str) -> bool:
    x, y = a.split(), b.split()
    return len(x) == len(y) and sum(p != q for p, q in zip(x, y, strict=True)) == 1


def copies(examples: list[Any]) -> tuple[int, int]:
    """Exact-copy outputs beyond the first, and near-copy pairs within a chunk."""
    outputs = [normalise(r["output"]) for r in examples]
    exact = len(outputs) - len(set(outputs))
    by_chunk: dict[str, list[str]] = defaultdict(list)
    for r, out in zip(examples, outputs, strict=True):
        by_chunk[r["metadata"]["chunk_id"]].append(out)
    near = sum(
        one_word_apart(a, b)
        for outs in by_chunk.values()
        for a, b in itertools.combinations(outs, 2)
    )
    return exact, near


def passed_by_inspector(kept: list[Any], rejected: list[Any]) -> list[Any]:
    removed = [r for r in rejected if "duplicate_of" in r["metadata"]]
    return kept + removed


def lost_pages(job: dict[str, Any], bodies: dict[str, str]) -> int:
    skipped = [e for e in job["logs"] if e.get("reason") == "near_empty"]
    worded = 0
    for entry in skipped:
        html = bodies.get(entry.get("url") or "", "")
        text = trafilatura.extract(html) or ""
        worded += len(text.split()) >= 200
    return worded


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=300)
    args = parser.parse_args()
    bases, servers, bodies = serve(HOSTS)
    pages = cycled_pages(args.pages, bases)
    publish(pages, bodies)
    work = Path(tempfile.mkdtemp(prefix="bench-quality-"))
    try:
        job, data_dir = run_job(work / "plain", pages, planted=False)
        kept, rejected = records(data_dir, job)
        exact, near = copies(kept)
        exact_before, near_before = copies(passed_by_inspector(kept, rejected))
        print(f"default run: {len(kept)} examples exported, {len(rejected)} rejected")
        why = Counter(
            reason_kind(r["metadata"]["rejected_because"][0]) for r in rejected
        ).most_common(6)
        print(f"  rejected for (first reason): {why}")
        print(f"  exact-copy outputs: {exact} (inspector passed {exact_before})")
        print(f"  one-word near-copy pairs: {near} (inspector passed {near_before})")
        html = {p.url: p.html for p in pages}
        print(f"  pages skipped as near-empty with >= 200 words: {lost_pages(job, html)}")
        estimate = job["estimate"] or {}
        asked, actual = job["asked"], job["cost_usd"]
        print(f"  estimate at submission ${asked['low']:.5f}..${asked['high']:.5f}, ", end="")
        print(f"refined top ${estimate.get('top_usd', 0):.5f}, actual ${actual:.5f} ", end="")
        print(f"({actual / asked['high']:.2f} of the submission top)")
        job2, data2 = run_job(work / "planted", pages, planted=True)
        kept2, _ = records(data2, job2)
        by_chunk: dict[str, int] = defaultdict(int)
        for r in kept2:
            by_chunk[r["metadata"]["chunk_id"]] += 1
        whole = sum(n >= 3 for n in by_chunk.values())
        exact2, near2 = copies(kept2)
        print(f"planted copies: {len(by_chunk)} chunks with examples kept, {whole} trios whole")
        print(f"  exact copies kept: {exact2}; one-word paraphrase pairs kept: {near2}")
        print(f"ratio: {near / near_before if near_before else 0.0:.3f}")
    finally:
        for server in servers:
            server.shutdown()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
