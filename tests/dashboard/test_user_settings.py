"""The dashboard's settings file: mode 600, a key never shown whole, applied over the env."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from nicegui import ui
from nicegui.testing.user import User
from pydantic import SecretStr, ValidationError

from services.gateway.container import Gateway
from shared import user_settings
from shared.contract.config import GenerationConfig, JobConfig
from shared.settings import Settings
from shared.user_settings import UserSettings, UserSettingsError

KEY = "sk-test-0123456789abcdefWXYZ"
BASE = "http://127.0.0.1:9/v1"


def test_saved_settings_are_readable_by_their_owner_only(tmp_path: Path) -> None:
    user_settings.save(tmp_path, UserSettings(llm_api_key=SecretStr(KEY)))
    mode = stat.S_IMODE(user_settings.path(tmp_path).stat().st_mode)
    assert mode == 0o600
    assert user_settings.load(tmp_path).llm_api_key == SecretStr(KEY)


def test_a_saved_model_base_and_key_win_over_the_environments(tmp_path: Path) -> None:
    defaults = JobConfig(generation=GenerationConfig(examples_per_chunk=7))
    saved = UserSettings(
        llm_model="gpt-4o",
        llm_api_base="http://127.0.0.1:9/v1",
        llm_api_key=SecretStr(KEY),
        job_defaults=defaults,
    )
    user_settings.save(tmp_path, saved)
    env = Settings(data_dir=tmp_path, llm_model="gpt-4o-mini")
    applied = user_settings.apply(env)
    assert (applied.llm_model, applied.llm_api_base) == ("gpt-4o", "http://127.0.0.1:9/v1")
    assert applied.llm_api_key is not None and applied.llm_api_key.get_secret_value() == KEY
    assert user_settings.load(tmp_path).job_defaults == defaults


def test_nothing_saved_leaves_the_environments_settings(tmp_path: Path) -> None:
    env = Settings(data_dir=tmp_path, llm_model="gpt-4o-mini")
    assert user_settings.apply(env) is env
    user_settings.save(tmp_path, UserSettings(llm_model="gpt-4o"))
    assert user_settings.apply(env).llm_api_key is None  # unset values stay the environment's


def test_a_key_is_shown_masked_with_its_last_characters_only() -> None:
    shown = user_settings.masked(SecretStr(KEY))
    assert shown.endswith("WXYZ") and KEY[:-4] not in shown
    assert user_settings.masked(SecretStr("short-key")) == "•" * 8
    assert user_settings.masked(None) == "not set"


def test_a_broken_file_is_refused_with_its_name(tmp_path: Path) -> None:
    user_settings.path(tmp_path).write_text('{"llm_model": 3}')
    with pytest.raises(UserSettingsError, match=r"user_settings\.json"):
        user_settings.load(tmp_path)


def test_an_api_base_must_be_an_http_url() -> None:
    with pytest.raises(ValidationError, match="http"):
        UserSettings(llm_api_base="file:///etc/passwd")


def test_changing_the_base_or_the_model_drops_the_saved_key_unless_one_is_entered() -> None:
    saved = UserSettings(llm_model="gpt-4o", llm_api_base=BASE, llm_api_key=SecretStr(KEY))
    assert user_settings.edited(saved, "gpt-4o", BASE, "", False) == SecretStr(KEY)
    assert user_settings.edited(saved, "gpt-4o", "http://evil.example/v1", "", False) is None
    assert user_settings.edited(saved, "gpt-4o-mini", BASE, "", False) is None
    assert user_settings.edited(saved, "gpt-4o", BASE, "", True) is None
    fresh = user_settings.edited(saved, "gpt-4o", "http://other.example/v1", "sk-new-key", False)
    assert fresh == SecretStr("sk-new-key")


def test_the_environments_key_never_goes_with_a_base_saved_from_the_dashboard(
    tmp_path: Path,
) -> None:
    env = Settings(data_dir=tmp_path, llm_api_base=BASE, llm_api_key=SecretStr(KEY))
    user_settings.save(tmp_path, UserSettings(llm_api_base="http://evil.example/v1"))
    moved = user_settings.apply(env)
    assert (moved.llm_api_base, moved.llm_api_key) == ("http://evil.example/v1", None)
    user_settings.save(tmp_path, UserSettings(llm_api_base=BASE, llm_model="gpt-4o"))
    assert user_settings.apply(env).llm_api_key == SecretStr(KEY)  # the operator's own base


async def test_the_settings_page_drops_the_saved_key_when_the_base_changes(
    user: User, gateway: Gateway
) -> None:
    data_dir = gateway.settings.data_dir
    user_settings.save(data_dir, UserSettings(llm_api_base=BASE, llm_api_key=SecretStr(KEY)))
    await user.open("/settings")
    user.find(kind=ui.input, content="API base").clear().type("http://evil.example/v1")
    user.find("Save settings").click()
    await user.should_see("saved key: not set")
    saved = user_settings.load(data_dir)
    assert (saved.llm_api_base, saved.llm_api_key) == ("http://evil.example/v1", None)
