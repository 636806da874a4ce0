"""The LLM simulator over real HTTP: answers, usage, latency, faults, stats and its CLI."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from services.llm_sim.__main__ import parse_args
from services.llm_sim.background import serving
from services.llm_sim.server import FINGERPRINT, SimConfig
from shared.contract.templates import TemplateOutputError, get_template
from shared.contract.tokens import cl100k
from shared.runtime.redis_server import free_port
from tests.helpers import wait_for

TEXT = (
    "The honey bee is a social insect that lives in colonies. A colony has one queen and "
    "thousands of workers. Workers collect nectar and pollen from flowers."
)


def request(n: int = 2, text: str = TEXT) -> dict[str, object]:
    return {"model": "gpt-4o-mini", "messages": get_template("qa").render(text, n=n)}


@pytest.fixture
def sim() -> Iterator[str]:
    with serving(SimConfig(latency_ms=0, jitter_ms=0)) as url:
        yield url


def test_answers_a_template_prompt_with_usage_and_its_fingerprint(sim: str) -> None:
    response = httpx.post(f"{sim}/chat/completions", json=request(n=2))
    assert response.status_code == 200
    body = response.json()
    content = body["choices"][0]["message"]["content"]
    assert body["system_fingerprint"] == FINGERPRINT
    assert body["model"] == "gpt-4o-mini"
    usage = body["usage"]
    assert usage["completion_tokens"] == len(cl100k().encode(content))
    assert usage["prompt_tokens"] > len(cl100k().encode(TEXT))
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
    examples = get_template("qa").parse(content)
    assert len(examples) == 2
    assert all(e.output in TEXT for e in examples)


def test_the_same_prompt_always_gets_the_same_answer(sim: str) -> None:
    def content(body: dict[str, object]) -> str:
        answer = httpx.post(f"{sim}/chat/completions", json=body).json()
        return str(answer["choices"][0]["message"]["content"])

    assert content(request(n=3)) == content(request(n=3))
    assert content(request(n=3)) != content(request(n=3, text=TEXT + " Bees make honey."))


def test_latency_is_honoured_roughly() -> None:
    with serving(SimConfig(latency_ms=300, jitter_ms=20)) as url:
        started = time.monotonic()
        assert httpx.post(f"{url}/chat/completions", json=request()).status_code == 200
        assert 0.28 <= time.monotonic() - started < 1.5


def test_rate_limited_requests_carry_retry_after() -> None:
    with serving(SimConfig(latency_ms=0, rate_429=1.0, retry_after_s=2.5)) as url:
        response = httpx.post(f"{url}/chat/completions", json=request())
    assert response.status_code == 429
    assert response.headers["retry-after"] == "3"
    assert response.headers["retry-after-ms"] == "2500"
    assert response.json()["error"]["code"] == "rate_limit_exceeded"


def test_fault_rates_are_honoured_and_counted() -> None:
    config = SimConfig(latency_ms=0, jitter_ms=0, rate_429=0.3, rate_500=0.2, rate_malformed=0.1)
    with serving(config) as url, httpx.Client() as client:
        codes = [
            client.post(f"{url}/chat/completions", json=request()).status_code for _ in range(300)
        ]
        stats = client.get(f"{url.removesuffix('/v1')}/stats").json()
    assert 60 <= codes.count(429) <= 120
    assert 35 <= codes.count(500) <= 85
    assert stats["total"] == 300
    assert stats["outcomes"]["rate_limited"] == codes.count(429)
    assert stats["outcomes"]["server_error"] == codes.count(500)
    assert sum(stats["outcomes"].values()) == 300


def test_malformed_answers_are_not_the_json_the_prompt_asked_for() -> None:
    with serving(SimConfig(latency_ms=0, rate_malformed=1.0)) as url, httpx.Client() as client:
        bodies = [client.post(f"{url}/chat/completions", json=request()).json() for _ in range(8)]
    for body in bodies:
        with pytest.raises(TemplateOutputError):
            get_template("qa").parse(body["choices"][0]["message"]["content"])
        assert body["usage"]["completion_tokens"] > 0


def test_timeouts_hang_past_the_client_timeout() -> None:
    with serving(SimConfig(latency_ms=0, rate_timeout=1.0, timeout_s=5)) as url:
        started = time.monotonic()
        with pytest.raises(httpx.ReadTimeout):
            httpx.post(f"{url}/chat/completions", json=request(), timeout=0.3)
        assert time.monotonic() - started < 2


async def test_stats_count_requests_in_flight_and_their_peak() -> None:
    with serving(SimConfig(latency_ms=1000, jitter_ms=0)) as url:
        base = url.removesuffix("/v1")
        async with httpx.AsyncClient() as client:
            calls = [client.post(f"{url}/chat/completions", json=request()) for _ in range(5)]
            gathered = asyncio.gather(*calls)
            during = await wait_for(
                lambda: stats(client, base), lambda s: s["in_flight"] == 5, timeout=0.9
            )
            assert all(r.status_code == 200 for r in await gathered)
            after = (await client.get(f"{base}/stats")).json()
    assert during["max_in_flight"] == 5
    assert (after["in_flight"], after["max_in_flight"], after["total"]) == (0, 5, 5)


async def stats(client: httpx.AsyncClient, base: str) -> dict[str, Any]:
    return dict((await client.get(f"{base}/stats")).json())


def test_lists_models(sim: str) -> None:
    models = httpx.get(f"{sim}/models").json()
    assert "gpt-4o-mini" in [m["id"] for m in models["data"]]


def test_cli_flags_become_the_config() -> None:
    args = parse_args(["--port", "9000", "--latency-ms", "150", "--rate-429", "0.1", "--seed", "7"])
    assert (args.port, args.latency_ms, args.rate_429, args.seed) == (9000, 150.0, 0.1, 7)
    assert args.rate_malformed == 0.0


def test_runs_as_a_module_with_uvicorn() -> None:
    port = free_port()
    command = [sys.executable, "-m", "services.llm_sim", "--port", str(port), "--latency-ms", "0"]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                response = httpx.post(
                    f"http://127.0.0.1:{port}/v1/chat/completions", json=request()
                )
                break
            except httpx.TransportError:
                assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
                assert time.monotonic() < deadline, "simulator did not start"
                time.sleep(0.1)
        assert response.json()["system_fingerprint"] == FINGERPRINT
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_a_configured_key_rejects_other_keys_quoting_them() -> None:
    with serving(SimConfig(latency_ms=0, api_key="sk-right")) as url, httpx.Client() as client:
        wrong = client.post(
            f"{url}/chat/completions", json=request(), headers={"Authorization": "Bearer sk-bad"}
        )
        right = client.post(
            f"{url}/chat/completions", json=request(), headers={"Authorization": "Bearer sk-right"}
        )
    assert wrong.status_code == 401 and "sk-bad" in wrong.json()["error"]["message"]
    assert right.status_code == 200
