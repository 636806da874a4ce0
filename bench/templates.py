"""The cost of rendering a user template, and of validating an answer against its schema, in
a worker process (what the factory and the gateway do) against the same calls in process.

The template is a user's claims template; the chunk is 4,000 characters of prose (about 900
tokens), the answer three items. Each path is warmed up first, then timed over N calls in one
thread (the factory's renders go through a thread each, which this leaves out: it is the same
for both). Also: how long a worker takes to start (paid on first use and after a kill).
Last line: `ratio: <worker / in process>` for a render."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from shared.templates import TemplateSpec, checked_spec
from shared.templates.pool import WorkerPool
from shared.templates.user import UserTemplate

N = 3_000
SPEC = TemplateSpec(
    name="claims",
    description="Claims the document makes, each with the sentence that supports it.",
    system="You extract claims from documents{% if strict %}, quoting only{% endif %}.",
    user=(
        "Find {{ n }} claims in the document below{% if topics %}, about "
        "{{ topics | join(', ') }}{% endif %}. Each item follows {{ schema }}.\n\n"
        "<document>\n{{ text }}\n</document>"
    ),
    params={
        "strict": {"type": "boolean", "default": True},
        "topics": {"type": "list", "default": []},
    },
    output_schema={
        "type": "object",
        "properties": {
            "claim": {"type": "string", "minLength": 1},
            "evidence": {"type": "string", "minLength": 1},
            "confidence": {"type": "number", "minimum": 0, "maximum": 1},
        },
        "required": ["claim", "evidence"],
    },
    mapping={"input": "claim", "output": "evidence"},
)
CHUNK = ("Honey bees forage up to three kilometres from the hive for nectar and pollen. " * 52)[
    :4000
]
ANSWER = json.dumps(
    {
        "items": [
            {"claim": f"Bees fly {i} km.", "evidence": CHUNK[:80], "confidence": 0.9}
            for i in range(3)
        ]
    }
)


def per_call_us(call: Callable[[], Any]) -> float:
    for _ in range(200):
        call()
    started = time.perf_counter()
    for _ in range(N):
        call()
    return (time.perf_counter() - started) / N * 1e6


def main() -> None:
    pool = WorkerPool(size=1)
    started = time.perf_counter()
    isolated = checked_spec(SPEC, pool)  # starts the worker, then checks the template in it
    first = time.perf_counter() - started
    local = UserTemplate(SPEC)
    figures = {
        "render": (
            per_call_us(lambda: local.render(CHUNK, 3, topics=["bees"])),
            per_call_us(lambda: isolated.render(CHUNK, 3, topics=["bees"])),
        ),
        "parse": (
            per_call_us(lambda: local.parse(ANSWER)),
            per_call_us(lambda: isolated.parse(ANSWER)),
        ),
    }
    pool.close()
    print(f"worker start and first check: {first * 1000:.0f} ms")
    for name, (direct, worker) in figures.items():
        print(
            f"{name}: in process {direct:.0f} µs, in the worker {worker:.0f} µs "
            f"(+{worker - direct:.0f} µs, {worker / direct:.2f}x)"
        )
    direct, worker = figures["render"]
    print(f"ratio: {worker / direct:.2f}")


if __name__ == "__main__":
    main()
