"""User templates render and validate answers in worker processes: a render or a validation
past its deadline is killed and reported as such, the next one gets a fresh worker, and the
worker runs with memory and CPU limits and without the caller's secrets."""

from __future__ import annotations

import json
import time

import psutil
import pytest

from shared.contract.templates import TemplateSpec, TemplateTimeout, checked_spec
from shared.contract.templates.pool import WorkerPool
from tests.templates.bombs import DOC, compare_bomb
from tests.templates.samples import claims

# The deadline (1.5 s), the kill, and a worker's start on a busy machine.
WITHIN_S = 3.0


def workers() -> list[psutil.Process]:
    return [
        child
        for child in psutil.Process().children()
        if "shared.contract.templates.worker" in " ".join(child.cmdline())
    ]


def test_a_render_stuck_in_one_c_call_is_killed_at_its_deadline_and_the_next_one_works() -> None:
    template = checked_spec(TemplateSpec(**claims()))  # a warm worker
    bomb = claims(user="{% if 'hive' in text %}" + compare_bomb() + "{% endif %}" + DOC)
    guarded = checked_spec(TemplateSpec(**bomb))  # the save's sample has no 'hive'
    started = time.monotonic()
    with pytest.raises(TemplateTimeout) as caught:
        guarded.render("A hive of bees.", n=2)
    assert time.monotonic() - started < WITHIN_S
    assert caught.value.reason == "template_timeout"
    [_, user] = template.render("Bees make honey.", n=2)
    assert "Bees make honey." in user["content"]


def test_an_answer_whose_validation_runs_too_long_is_a_schema_timeout() -> None:
    schema = claims()["output_schema"]
    schema["properties"]["refs"] = {"type": "array", "uniqueItems": True}  # quadratic on objects
    template = checked_spec(TemplateSpec(**claims(output_schema=schema)))
    item = {"claim": "Bees fly.", "evidence": "They do.", "refs": [{"k": i} for i in range(3000)]}
    started = time.monotonic()
    with pytest.raises(TemplateTimeout) as caught:
        template.parse(json.dumps({"items": [item]}))  # 24 s in process
    assert time.monotonic() - started < WITHIN_S
    assert caught.value.reason == "schema_timeout"
    assert template.parse(json.dumps({"items": [item | {"refs": []}]}))[0].input == "Bees fly."


def test_a_worker_runs_with_memory_and_cpu_limits_and_no_secrets(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-worker-must-not-see-this")
    before = {w.pid for w in workers()}
    pool = WorkerPool(size=1)
    try:
        checked_spec(TemplateSpec(**claims()), pool).render("Bees make honey.", n=1)
        [worker] = [w for w in workers() if w.pid not in before]
        env, memory, cpu = (
            worker.environ(),
            worker.rlimit(psutil.RLIMIT_AS),
            worker.rlimit(psutil.RLIMIT_CPU),
        )
    finally:
        pool.close()
    assert not [value for value in env.values() if "sk-worker" in value]
    assert 0 < memory[0] < 4 << 30, "RLIMIT_AS set, a few hundred MB above its needs"
    assert 0 < cpu[0] < 3600, "RLIMIT_CPU set, a few seconds above what it used"


def test_a_worker_past_its_cpu_limit_dies_even_when_nobody_kills_it() -> None:
    pool = WorkerPool(size=1)
    spec = TemplateSpec(**claims(user=compare_bomb(levels=9) + DOC))  # minutes of one C call
    request = {"op": "render", "spec": spec.model_dump_json(), "text": "", "n": 1, "params": {}}
    started = time.monotonic()
    try:
        with pytest.raises(TemplateTimeout, match="out of CPU time"):
            pool.ask(request, seconds=120, timeout_reason="template_timeout")
    finally:
        pool.close()
    assert time.monotonic() - started < 30, "RLIMIT_CPU: a few seconds of CPU per request"
