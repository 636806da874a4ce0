"""Batch mode for an Anthropic model: its lines go to the simulator's Message Batches API (read
through litellm), answered at Anthropic's batch price, one outcome per chunk."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from services.factory import replies
from services.factory.batch_api import Finished
from services.factory.message_batches import openai_row
from services.llm_sim.background import serving
from services.llm_sim.server import SimConfig
from shared.runtime import costs
from shared.settings import Settings
from tests.factory.stage import chunks, run_factory, sim_stats, with_sim
from tests.factory.test_batch_mode import batches

MODEL = "anthropic/claude-haiku-4-5"


def message_batches(root: str) -> list[dict[str, Any]]:
    return list(httpx.get(f"{root}/v1/messages/batches").json()["data"])


def anthropic(settings: Settings, url: str) -> Settings:
    # Anthropic's base URL is the server's root; the client adds `/v1/messages/...`.
    root = url.removesuffix("/v1")
    update = {"llm_models": [MODEL], "llm_batch_window_s": 0.1, "llm_batch_poll_s": 0.05}
    return with_sim(settings, root, **update)


async def test_an_anthropic_batch_job_is_answered_by_one_message_batch_at_the_batch_price(
    settings: Settings,
) -> None:
    work = chunks(4, mode="batch", model=MODEL)
    with serving(SimConfig(batch_delay_s=0.3)) as url:
        outcomes = await run_factory(anthropic(settings, url), work)
        [batch] = message_batches(url.removesuffix("/v1"))
        assert sim_stats(url)["total"] == 0, "no online call"
        assert batches(url) == [], "not OpenAI's Batch API"
    assert batch["processing_status"] == "ended" and batch["request_counts"]["succeeded"] == 4
    assert outcomes.failed == [] and len(outcomes.examples) == 12
    [submitted] = [e for e in outcomes.events if e.type == "BatchSubmitted"]
    assert submitted.batch_id == batch["id"] and len(submitted.chunk_ids) == 4
    for done in outcomes.generated:
        tokens = done.prompt_tokens, done.completion_tokens
        assert done.prompt_tokens > 0 and done.model == MODEL
        assert done.cost_usd == pytest.approx(costs.cost_usd(MODEL, *tokens, batch=True))
        online = costs.cost_usd(MODEL, *tokens)
        assert online is not None and done.cost_usd == pytest.approx(online / 2)


def test_result_rows_read_as_openai_batch_output_with_cache_reads_counted() -> None:
    message = {
        "id": "msg_1",
        "model": "claude-haiku-4-5",
        "content": [{"type": "text", "text": '{"pairs": '}, {"type": "text", "text": "[]}"}],
        "usage": {"input_tokens": 40, "output_tokens": 7, "cache_read_input_tokens": 200},
    }
    ok = openai_row({"custom_id": "a", "result": {"type": "succeeded", "message": message}})
    assert ok["response"]["status_code"] == 200
    body = ok["response"]["body"]
    assert replies.text(body) == '{"pairs": []}'
    tokens = replies.tokens(body)
    assert (tokens.prompt, tokens.completion, tokens.cached) == (240, 7, 200)
    expired = openai_row({"custom_id": "b", "result": {"type": "expired"}})
    assert expired["response"]["status_code"] != 200
    assert Finished.of("completed", [ok, expired]).errors == {"b": '{"type": "expired"}'}
