"""The worker process user templates render and validate in: started by `pool`, it answers
one request at a time on stdin/stdout, within the memory and CPU limits it sets itself."""

from __future__ import annotations

import math
import os
import resource
import sys
from pathlib import Path
from typing import Any

from shared.contract.templates import frames
from shared.contract.templates.errors import TemplateError, TemplateOutputError, TemplateTimeout
from shared.contract.templates.spec import TemplateSpec
from shared.contract.templates.user import UserTemplate
from shared.contract.templates.validation import check_in_process

# Above what the worker holds once warmed up: a render's values are capped far below this.
MEMORY_HEADROOM = 512 << 20
CPU_S_PER_REQUEST = 3  # the pool kills at its deadline first; this holds if the pool is gone
_CACHED = 32  # compiled templates kept: a job's template compiles once per worker
# Loads, before the limits apply, what the first real request would load lazily (the
# metaschemas, Jinja's compiler): a request then starts with nothing left to read from disk.
_WARM_UP = {
    "name": "warm-up",
    "system": "{% for t in topics %}{{ t | upper ~ n }}{% endfor %}",
    "user": "{{ text | truncate(50) }} {{ schema | length }}",
    "params": {"topics": {"type": "list", "default": ["a"]}},
    "output_schema": {
        "type": "object",
        "properties": {"q": {"type": "string", "minLength": 1}, "a": {"$ref": "#/$defs/t"}},
        "$defs": {"t": {"type": "string"}},
        "required": ["q"],
    },
    "mapping": {"input": "q", "output": "a"},
}


def main() -> None:
    requests, replies = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # a stray print must not corrupt the replies
    _warm_up()
    _limit(resource.RLIMIT_AS, _address_space() + MEMORY_HEADROOM)
    _limit(resource.RLIMIT_CORE, 0)  # SIGXCPU dumps core by default: not a worker's memory
    # A render that burns its core until the deadline must not slow the service that waits
    # for it (the gateway's /health rose to 0.6 s on a busy 2-core machine without this).
    os.nice(10)
    frames.write(replies, {"ready": os.getpid()})
    compiled: dict[str, UserTemplate] = {}
    while (request := frames.read(requests)) is not None:
        used = resource.getrusage(resource.RUSAGE_SELF)
        _limit(resource.RLIMIT_CPU, math.ceil(used.ru_utime + used.ru_stime) + CPU_S_PER_REQUEST)
        try:
            frames.write(replies, _answer(request, compiled))
        except MemoryError:
            return  # the pool sees the worker gone, says why, and starts another


def _answer(request: dict[str, Any], compiled: dict[str, UserTemplate]) -> dict[str, Any]:
    try:
        return {"ok": _run(request, compiled)}
    except TemplateOutputError as exc:
        return {"error": "output", "reason": exc.reason, "detail": exc.detail}
    except TemplateTimeout as exc:
        return {"error": "timeout", "reason": exc.reason, "message": str(exc)}
    except TemplateError as exc:
        return {"error": "template", "message": str(exc)}
    except MemoryError:
        raise
    except Exception as exc:  # a schema that recurses forever, a value of the wrong type
        return {"error": "template", "message": f"{type(exc).__name__}: {exc}"}


def _run(request: dict[str, Any], compiled: dict[str, UserTemplate]) -> Any:
    spec = request["spec"]
    if request["op"] == "check":
        check_in_process(TemplateSpec.model_validate_json(spec))
        return None
    template = compiled.pop(spec, None) or UserTemplate(TemplateSpec.model_validate_json(spec))
    compiled[spec] = template  # most recently used last
    if len(compiled) > _CACHED:
        del compiled[next(iter(compiled))]
    params = request["params"]
    if request["op"] == "render":
        return template.render(request["text"], request["n"], **params)
    return [e.model_dump() for e in template.parse(request["answer"], **params)]


def _warm_up() -> None:
    check_in_process(TemplateSpec.model_validate(_WARM_UP))


def _address_space() -> int:
    try:
        pages = Path("/proc/self/statm").read_text().split()[0]
        return int(pages) * resource.getpagesize()
    except OSError:  # no procfs: a fixed ceiling that still stops a runaway allocation
        return 2 << 30


def _limit(kind: int, soft: int) -> None:
    _, hard = resource.getrlimit(kind)
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(kind, (soft, hard))
