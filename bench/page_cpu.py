"""CPU per page of the spider's pure page analysis over the corpus, against a bare lxml parse.

Analysis is what the replica does to a fetched body: decode, one parse (text, title, date,
signs), the skip and script-rendering verdicts, and metadata (language, content hash). The
baseline is `lxml.html.document_fromstring` of the same decoded pages in the same run.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

from lxml import html as lxml_html

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import CORPUS
from services.spider.decode import to_text
from services.spider.describe import describe
from services.spider.page import parse, script_rendered, skip_reason

ROUNDS = 5


def analyse(body: bytes) -> object:
    page = parse(to_text(body, "text/html")[0])
    return script_rendered(page), skip_reason(page), describe(page)


def bare_parse(body: bytes) -> object:
    return lxml_html.document_fromstring(to_text(body, "text/html")[0])


def ms_per_page(work: Callable[[bytes], object], bodies: list[bytes]) -> float:
    """The fastest of a few rounds: other processes on the machine only ever add time."""
    best = float("inf")
    for _ in range(ROUNDS):
        start = time.process_time()
        for body in bodies:
            work(body)
        best = min(best, time.process_time() - start)
    return best * 1000 / len(bodies)


def report() -> str:
    bodies = [p.read_bytes() for p in sorted(CORPUS.glob("*.html"))]
    start = time.process_time()
    for body in bodies:  # the first round also loads py3langid's model, once per process
        analyse(body)
    first = (time.process_time() - start) * 1000 / len(bodies)
    bare, analysis = ms_per_page(bare_parse, bodies), ms_per_page(analyse, bodies)
    return (
        f"page analysis CPU: {analysis:.2f} ms per page over {len(bodies)} corpus pages "
        f"(decode, parse, verdicts, metadata) = {analysis / bare:.2f}x a bare lxml parse "
        f"({bare:.2f} ms); first round {first:.2f} ms with the language model load"
    )


if __name__ == "__main__":
    print(report())
