"""The operator's LLM key goes only to the base the operator configured: a base saved from the
dashboard gets the key saved with it, or none, never the environment's."""

from __future__ import annotations

import pytest

from services.llm_sim.background import serving
from services.llm_sim.server import SimConfig
from shared import user_settings
from shared.settings import Settings
from shared.user_settings import UserSettings
from tests.factory.stage import chunks, run_factory, sim_stats

OPERATORS = "sk-operator-8d0c2f7e41b9"


def from_environment(settings: Settings) -> Settings:
    """Settings as a service reads them at start: the environment, then the saved file."""
    env = Settings(
        redis_url=settings.redis_url,
        data_dir=settings.data_dir,
        claim_idle_ms=15_000,
        polling_interval_ms=50,
        llm_timeout_s=5,
    )
    return user_settings.apply(env)


async def test_the_environments_key_is_not_sent_to_a_base_saved_from_the_dashboard(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATAFACTORY_LLM_API_KEY", OPERATORS)
    monkeypatch.setenv("OPENAI_API_KEY", OPERATORS)  # a provider's own variable neither
    with serving(SimConfig(latency_ms=0, api_key=OPERATORS)) as url:
        user_settings.save(settings.data_dir, UserSettings(llm_api_base=url))
        outcomes = await run_factory(from_environment(settings), chunks(2))
        assert sim_stats(url)["outcomes"] == {"unauthorized": 2}
    assert [f.reason for f in outcomes.failed] == ["llm_http_401"] * 2


async def test_the_environments_key_goes_to_the_base_the_operator_configured(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATAFACTORY_LLM_API_KEY", OPERATORS)
    with serving(SimConfig(latency_ms=0, api_key=OPERATORS)) as url:
        monkeypatch.setenv("DATAFACTORY_LLM_API_BASE", url)
        user_settings.save(settings.data_dir, UserSettings(llm_api_base=url, llm_model="gpt-4o"))
        outcomes = await run_factory(from_environment(settings), chunks(2, model="gpt-4o"))
        assert "unauthorized" not in sim_stats(url)["outcomes"]
    assert not outcomes.failed and len(outcomes.generated) == 2
