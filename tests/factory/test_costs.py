"""Cost estimates before a job runs: litellm's bundled prices and the template's prompt size."""

from __future__ import annotations

import pytest

from shared.contract.config import GenerationConfig
from shared.contract.templates import get_template
from shared.contract.tokens import cl100k
from shared.runtime import costs
from tests.factory.samples import TEXTS

MINI = (0.15 / 1e6, 0.6 / 1e6)  # gpt-4o-mini, dollars per prompt and completion token


def test_prices_come_from_litellms_bundled_map() -> None:
    assert costs.price("gpt-4o-mini") == pytest.approx(MINI)
    assert costs.price("openai/gpt-4o-mini") == pytest.approx(MINI)
    assert costs.price("no-such-model") is None
    assert costs.cost_usd("gpt-4o-mini", 1000, 100) == pytest.approx(1000 * MINI[0] + 100 * MINI[1])


def test_an_estimate_is_chunks_times_template_times_examples_times_price() -> None:
    gen = GenerationConfig(template="qa", examples_per_chunk=3)
    estimate = costs.estimate_average(gen, "gpt-4o-mini", chunks=10, average_tokens=500)
    frame = costs.message_tokens(get_template("qa").render("", n=3))
    assert estimate.chunks == 10 and estimate.priced
    assert estimate.prompt_tokens == 10 * (frame + 500)
    assert estimate.completion_tokens == 10 * get_template("qa").completion_tokens(500, 3)
    expected = estimate.prompt_tokens * MINI[0] + estimate.completion_tokens * MINI[1]
    assert estimate.cost_usd == pytest.approx(expected)
    assert costs.estimate(gen, "gpt-4o-mini", [500] * 10) == estimate


def test_more_examples_and_longer_summaries_cost_more() -> None:
    def dollars(**gen: object) -> float:
        config = GenerationConfig.model_validate(gen)
        return costs.estimate_average(config, "gpt-4o-mini", 5, 400).cost_usd

    assert dollars(examples_per_chunk=6) > dollars(examples_per_chunk=3)
    summaries = get_template("summarization")
    assert summaries.completion_tokens(800, 2) > summaries.completion_tokens(200, 2)


def test_the_prompt_estimate_matches_the_tokens_of_the_rendered_prompt() -> None:
    gen = GenerationConfig(template="classification", template_params={"labels": ["a", "b"]})
    text = " ".join(TEXTS)
    tokens = len(cl100k().encode_ordinary(text))
    estimate = costs.estimate(gen, "gpt-4o-mini", [tokens])
    rendered = get_template("classification").render(text, n=3, labels=["a", "b"])
    assert estimate.prompt_tokens == pytest.approx(costs.message_tokens(rendered), abs=3)


def test_an_unpriced_model_is_estimated_in_tokens_and_says_so() -> None:
    estimate = costs.estimate_average(GenerationConfig(), "my-local-llama", 4, 300)
    assert not estimate.priced and estimate.cost_usd == 0
    assert estimate.prompt_tokens > 1200
