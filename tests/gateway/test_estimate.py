"""The cost estimate before a job is submitted: pages -> chunks -> tokens -> dollars."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from services.gateway.queries.estimate import estimate_submission
from services.gateway.queries.job_estimate import page_top
from shared.contract.config import JobConfig, ProcessingConfig
from shared.runtime import costs
from shared.settings import Settings

URLS = [
    "https://example.com/a",
    "https://example.com/b",
    "ftp://example.com/c",
    "https://example.com/a#x",
]


@pytest.fixture
def local(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path, llm_model="gpt-4o-mini", _env_file=None)


def config(**generation: object) -> JobConfig:
    return JobConfig.model_validate({"generation": generation})


def test_lists_bad_urls_with_reasons_and_counts_each_good_one_once(local: Settings) -> None:
    found = estimate_submission(local, URLS, JobConfig())
    assert found.accepted == ["https://example.com/a", "https://example.com/b"]
    assert [r.url for r in found.rejected] == ["ftp://example.com/c"]
    assert found.rejected[0].reason
    assert (found.pages.low, found.pages.high) == (2, 2)


def test_the_range_grows_from_short_pages_to_long_ones(local: Settings) -> None:
    found = estimate_submission(local, URLS, JobConfig())
    assert 0 < found.chunks.low < found.chunks.high
    assert 0 < found.cost_usd.low < found.cost_usd.high
    assert found.priced and found.refusal is None
    assert found.max_cost_usd == local.default_max_cost_usd
    # The high end is what the price map says for its own token counts.
    expected = costs.cost_usd("gpt-4o-mini", found.prompt_tokens.high, found.completion_tokens.high)
    assert found.cost_usd.high == pytest.approx(expected)


def test_batch_mode_is_priced_at_the_batch_price(local: Settings) -> None:
    online = estimate_submission(local, URLS, config(mode="online"))
    batch = estimate_submission(local, URLS, config(mode="batch"))
    assert batch.prompt_tokens == online.prompt_tokens
    assert batch.cost_usd.high == pytest.approx(online.cost_usd.high / 2)


def test_a_crawl_may_reach_up_to_its_page_cap(local: Settings) -> None:
    crawl = JobConfig.model_validate({"scraping": {"crawl": True, "max_pages": 40}})
    found = estimate_submission(local, URLS, crawl)
    assert (found.pages.low, found.pages.high) == (2, 40)


def test_a_model_the_deployment_does_not_allow_is_named_as_the_refusal(local: Settings) -> None:
    found = estimate_submission(local, URLS, config(model="gpt-4o"))
    assert found.refusal is not None and "not allowed" in found.refusal


def test_an_unknown_template_is_a_refusal_not_an_error(local: Settings) -> None:
    found = estimate_submission(local, URLS, config(template="no-such-template"))
    assert found.refusal is not None and "no-such-template" in found.refusal
    assert found.cost_usd.high == 0


def test_a_dry_run_costs_nothing(local: Settings) -> None:
    found = estimate_submission(local, URLS, config(dry_run=True))
    assert found.cost_usd.high == 0 and found.chunks.high > 0


async def test_the_estimate_route_answers_for_a_url_list_and_config(
    client: httpx.AsyncClient,
) -> None:
    body = {
        "urls": ["https://example.com/a", "nope"],
        "config": {"generation": {"max_cost_usd": 2}},
    }
    response = await client.post("/api/estimate", json=body)
    assert response.status_code == 200, response.text
    found = response.json()
    assert found["accepted"] == ["https://example.com/a"] and found["max_cost_usd"] == 2
    assert [r["url"] for r in found["rejected"]] == ["nope"]
    assert found["cost_usd"]["low"] <= found["cost_usd"]["high"]


async def test_the_estimate_route_refuses_an_invalid_config(client: httpx.AsyncClient) -> None:
    body = {"urls": ["https://example.com/a"], "config": {"generation": {"examples_per_chunk": 0}}}
    assert (await client.post("/api/estimate", json=body)).status_code == 422


def test_the_largest_crawl_is_estimated_without_walking_its_chunks(local: Settings) -> None:
    crawl = JobConfig.model_validate(
        {"scraping": {"crawl": True, "max_pages": 100_000}, "processing": {"chunk_size": 32}}
    )
    found = estimate_submission(local, URLS, crawl)
    assert found.chunks.high == 100_000 * 50  # 125 chunks of 32 a page, at most 50 of them
    assert found.cost_usd.high > found.cost_usd.low > 0


def test_no_page_is_estimated_past_its_chunk_cap(local: Settings) -> None:
    small = JobConfig.model_validate({"processing": {"chunk_size": 32, "max_chunks_per_page": 7}})
    assert estimate_submission(local, URLS, small).chunks.high == 2 * 7


def test_a_fetched_page_is_bounded_by_its_size_and_the_chunk_cap() -> None:
    p = ProcessingConfig()
    assert page_top(p, 10) == []
    one_page = page_top(p, 300)
    assert len(one_page) == 1 and one_page[0] >= 300
    huge = page_top(p, 1_300_000)  # the visible text of a 5 MB page
    assert len(huge) == p.max_chunks_per_page and max(huge) == p.chunk_size
