"""Settings saved from the dashboard (the LLM model, API base and key, new jobs' defaults) in
one JSON file of mode 600 under the data directory; services apply them over the environment's
when they start.

A key belongs to where it was meant to go: a saved key is dropped when the base or the model
changes without a new key, and the environment's key is never sent to a base saved here."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from shared.contract.config import JobConfig
from shared.settings import Settings

FILE_NAME = "user_settings.json"
MODE = 0o600
# A masked key shows this many of its last characters, enough to tell two keys apart.
SHOWN_CHARS = 4


class UserSettingsError(ValueError):
    """The saved file cannot be read or does not validate; the reason names the file."""


class UserSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    llm_model: str | None = Field(default=None, min_length=1, max_length=200)
    llm_api_base: str | None = Field(default=None, max_length=2000)
    llm_api_key: SecretStr | None = Field(default=None, max_length=1000)
    job_defaults: JobConfig = JobConfig()

    @field_validator("llm_api_base")
    @classmethod
    def _http_base(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("the API base is an http:// or https:// URL")
        return value


def path(data_dir: Path) -> Path:
    return data_dir / FILE_NAME


def load(data_dir: Path) -> UserSettings:
    """What was saved, or the empty settings when nothing was."""
    target = path(data_dir)
    try:
        text = target.read_text(encoding="utf-8")
    except FileNotFoundError:
        return UserSettings()
    except OSError as exc:
        raise UserSettingsError(f"{target}: {exc.strerror}") from None
    try:
        return UserSettings.model_validate_json(text)
    except ValidationError as exc:
        raise UserSettingsError(f"{target}: {exc.error_count()} invalid values") from None


def _plain(saved: UserSettings) -> dict[str, Any]:
    key = saved.llm_api_key.get_secret_value() if saved.llm_api_key else None
    return saved.model_dump(mode="json") | {"llm_api_key": key}


def save(data_dir: Path, saved: UserSettings) -> None:
    """Writes the file whole (a temporary file renamed over it), readable by its owner only."""
    data_dir.mkdir(parents=True, exist_ok=True)
    target = path(data_dir)
    temporary = target.with_suffix(".tmp")
    # Created with mode 600, so the key is never readable by others, not even for a moment.
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, MODE)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(_plain(saved), out)
    temporary.chmod(MODE)  # an older temporary file may have had another mode
    temporary.replace(target)


def apply(settings: Settings) -> Settings:
    """`settings` with the saved model, API base and key in place of the environment's. A
    saved base other than the environment's goes with the saved key or with none: whoever
    can save settings must not be able to send the operator's key to a server of theirs."""
    saved = load(settings.data_dir)
    chosen = {
        "llm_model": saved.llm_model,
        "llm_api_base": saved.llm_api_base,
        "llm_api_key": saved.llm_api_key,
    }
    update: dict[str, Any] = {name: value for name, value in chosen.items() if value is not None}
    if saved.llm_api_base not in (None, settings.llm_api_base) and saved.llm_api_key is None:
        update["llm_api_key"] = None
    return settings.model_copy(update=update) if update else settings


def edited(
    saved: UserSettings, model: str | None, base: str | None, key: str | None, clear_key: bool
) -> SecretStr | None:
    """The key to keep after an edit: a new one if entered, else none when asked, or when the
    model or base changed (the saved key was meant for the old ones), else the saved one."""
    if key:
        return SecretStr(key)
    moved = (model, base) != (saved.llm_model, saved.llm_api_base)
    return None if clear_key or moved else saved.llm_api_key


def masked(key: SecretStr | None) -> str:
    """The key as a page may show it: its last characters only, and only for a long key."""
    if key is None:
        return "not set"
    secret = key.get_secret_value()
    tail = secret[-SHOWN_CHARS:] if len(secret) >= 4 * SHOWN_CHARS else ""
    return "•" * 8 + tail
