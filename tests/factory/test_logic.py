"""The factory's pure decisions: routing, keys, retry timing, repair prompts, cost shares."""

from __future__ import annotations

import pytest

from services.factory import logic
from services.factory.values import LLMFailure, Reply, Spend, Usage
from shared.contract.templates import TemplateOutputError

PROVIDERS = {"openai", "anthropic", "ollama"}


@pytest.mark.parametrize(
    ("model", "api_base", "routed"),
    [
        ("gpt-4o-mini", None, "gpt-4o-mini"),
        ("gpt-4o-mini", "http://127.0.0.1:8100/v1", "openai/gpt-4o-mini"),
        ("openai/gpt-4o-mini", "http://127.0.0.1:8100/v1", "openai/gpt-4o-mini"),
        ("ollama/llama3", "http://127.0.0.1:11434", "ollama/llama3"),
        ("meta-llama/Llama-3-8B", "http://vllm:8000/v1", "openai/meta-llama/Llama-3-8B"),
    ],
)
def test_a_bare_model_behind_an_api_base_goes_to_the_openai_compatible_client(
    model: str, api_base: str | None, routed: str
) -> None:
    assert logic.route_model(model, api_base, PROVIDERS) == routed


def test_an_api_base_without_a_key_gets_a_placeholder_key() -> None:
    assert logic.api_key("sk-real", "http://sim/v1") == "sk-real"
    assert logic.api_key(None, "http://sim/v1") == logic.PLACEHOLDER_KEY
    assert logic.api_key(None, None) is None


@pytest.mark.parametrize(
    ("headers", "wait"),
    [
        ({"retry-after-ms": "250", "retry-after": "1"}, 0.25),
        ({"Retry-After": "3"}, 3.0),
        ({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}, None),
        ({}, None),
    ],
)
def test_reads_the_wait_a_server_asks_for(headers: dict[str, str], wait: float | None) -> None:
    assert logic.retry_after_s(headers) == wait


def test_backoff_grows_exponentially_with_jitter_and_honours_retry_after_up_to_a_cap() -> None:
    policy = logic.RetryPolicy(base_s=1.0, cap_s=10.0)
    assert [logic.backoff_s(a, None, 0.0, policy) for a in (1, 2, 3)] == [0.5, 1.0, 2.0]
    assert [logic.backoff_s(a, None, 0.999, policy) for a in (1, 2)] == pytest.approx([1, 2], 0.01)
    assert logic.backoff_s(1, 4.0, 0.5, policy) == 4.0
    assert logic.backoff_s(1, 60.0, 0.5, policy) == 10.0
    assert logic.backoff_s(8, None, 0.5, policy) == 10.0


def test_usage_shares_add_up_to_the_whole() -> None:
    usage = Usage(100, 31, 0.003, simulated=True) + Usage(1, 1, 0.001)
    shares = usage.shares(3)
    assert [s.prompt_tokens for s in shares] == [34, 34, 33]
    assert sum(s.completion_tokens for s in shares) == 32
    assert sum(s.cost_usd for s in shares) == pytest.approx(0.004)
    assert all(s.simulated for s in shares)


def test_a_repair_shows_the_llm_its_answer_and_the_reason() -> None:
    messages = logic.repair(
        [{"role": "user", "content": "make JSON"}],
        "not json",
        TemplateOutputError("no_json_object", "not json"),
    )
    assert [m["role"] for m in messages] == ["user", "assistant", "user"]
    assert messages[1]["content"] == "not json"
    assert "no_json_object" in messages[2]["content"]


def test_a_items_spend_counts_calls_retries_and_cache_hits() -> None:
    spend = Spend()
    spend.add(Reply("a", Usage(10, 5, 0.1), retries=2))
    spend.add(Reply("b", Usage(), cached=True))
    failure = LLMFailure("llm_error", "boom", retryable=True)
    failure.calls, failure.retries = 4, 3
    spend.failed(failure)
    assert (spend.calls, spend.retries, spend.cache_hits) == (7, 5, 1)
    assert spend.usage == Usage(10, 5, 0.1)
    assert str(spend) == "7 calls, 5 retries, 1 cache hits"
