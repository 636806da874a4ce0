"""The cost of rendering a user template, and of validating an answer against its schema, in
a worker process (what the factory and the gateway do) against the same calls in process.

The template is a user's claims template; the chunk is 4,000 characters of prose (about 900
tokens), the answer three items. Each path is warmed up, then timed in rounds that alternate
between the two (the median of each is shown), in one thread: the factory's calls also go
through a thread each for a user template, which this leaves out. Also: the CPU time both
processes spend per call, and how long a worker takes to start (on first use, after a kill).
Last line: `ratio: <worker / in process>` for a render."""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from shared.contract.templates import TemplateSpec, checked_spec
from shared.contract.templates.pool import WorkerPool
from shared.contract.templates.user import UserTemplate

CALLS, ROUNDS = 300, 15
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
    started = time.perf_counter()
    for _ in range(CALLS):
        call()
    return (time.perf_counter() - started) / CALLS * 1e6


def medians(direct: Callable[[], Any], worker: Callable[[], Any]) -> tuple[float, float]:
    """Per-call µs of each, the median of ROUNDS rounds that alternate between the two, so a
    machine busy with other work slows both alike."""
    for call in (direct, worker):
        for _ in range(200):
            call()
    rounds = [(per_call_us(direct), per_call_us(worker)) for _ in range(ROUNDS)]
    return statistics.median(r[0] for r in rounds), statistics.median(r[1] for r in rounds)


def cpu_us_per_call(pool_pid: int, call: Callable[[], Any]) -> float:
    """CPU time of this process and of the worker together, per call."""
    worker = psutil.Process(pool_pid)
    before = time.process_time() + sum(worker.cpu_times()[:2])
    for _ in range(CALLS * 5):
        call()
    after = time.process_time() + sum(worker.cpu_times()[:2])
    return (after - before) / (CALLS * 5) * 1e6


def main() -> None:
    pool = WorkerPool(size=1)
    started = time.perf_counter()
    isolated = checked_spec(SPEC, pool)  # starts the worker, then checks the template in it
    first = time.perf_counter() - started
    local = UserTemplate(SPEC)
    render = (
        lambda: local.render(CHUNK, 3, topics=["bees"]),
        lambda: isolated.render(CHUNK, 3, topics=["bees"]),
    )
    parse = (lambda: local.parse(ANSWER), lambda: isolated.parse(ANSWER))
    figures = {"render": medians(*render), "parse": medians(*parse)}
    [worker_pid] = [c.pid for c in psutil.Process().children()]
    cpu = {
        "render": (cpu_us_per_call(worker_pid, render[0]), cpu_us_per_call(worker_pid, render[1])),
        "parse": (cpu_us_per_call(worker_pid, parse[0]), cpu_us_per_call(worker_pid, parse[1])),
    }
    pool.close()
    print(f"worker start and first check: {first * 1000:.0f} ms")
    for name, (direct, worker) in figures.items():
        print(
            f"{name}: in process {direct:.0f} µs, in the worker {worker:.0f} µs "
            f"(+{worker - direct:.0f} µs, {worker / direct:.2f}x); CPU of both processes "
            f"{cpu[name][0]:.0f} µs against {cpu[name][1]:.0f} µs"
        )
    direct, worker = figures["render"]
    print(f"ratio: {worker / direct:.2f}")


if __name__ == "__main__":
    main()
