"""`/settings`: the LLM model, API base and key (mode-600 file, shown masked, never sent to the
browser whole), and the defaults new jobs start from."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from nicegui import ui
from pydantic import ValidationError

from services.gateway.container import Gateway
from services.gateway.dashboard import components, config_form, forms, theme
from services.gateway.dashboard.frame import frame, section
from services.gateway.dashboard.template_picker import picker
from services.gateway.queries import templates
from shared import user_settings
from shared.contract.config import JobConfig
from shared.user_settings import UserSettings

NAV = ("Settings", "/settings", 90)


def llm_panel(gw: Gateway, saved: UserSettings, values: dict[str, Any]) -> ui.label:
    """Inputs for the model and base; the key input starts empty and is cleared on save."""
    env = gw.settings
    with ui.column().classes("df-glass df-corners df-panel w-full gap-3 df-llm-settings"):
        section("LLM provider")
        with ui.row().classes("w-full gap-4 items-end"):
            model = ui.input("Model", value=saved.llm_model or "", placeholder=env.llm_model)
            model.classes("w-72").props("outlined dark dense")
            model.bind_value(values, "llm_model")
            base = ui.input(
                "API base",
                value=saved.llm_api_base or "",
                placeholder=env.llm_api_base or "the provider's default",
            )
            base.classes("w-96").props("outlined dark dense")
            base.bind_value(values, "llm_api_base")
        with ui.row().classes("w-full gap-4 items-end"):
            key = ui.input(
                "API key (empty: keep the saved one unless the model or base changes)",
                password=True,
                password_toggle_button=True,
            )
            key.classes("w-96 df-key-input").props("outlined dark dense autocomplete=off")
            key.bind_value(values, "llm_api_key")
            shown = theme.number(
                f"saved key: {user_settings.masked(saved.llm_api_key)}",
                "text-sm df-accent df-key-masked",
            )
            ui.checkbox("Remove the saved key").bind_value(values, "clear_key")
        in_effect = f"in effect now: {env.llm_model} at {env.llm_api_base or 'the default base'}"
        theme.number(in_effect, "text-xs df-muted")
        ui.label(
            "Services read these when they start: restart the stack after saving. The key is "
            "stored in a file only its owner can read and is never shown again."
        ).classes("text-xs df-muted")
    return shown


def updated(saved: UserSettings, values: dict[str, Any], defaults: dict[str, Any]) -> UserSettings:
    """The settings as the form has them; raises ValidationError with each field's problem."""
    model, base = values["llm_model"] or None, values["llm_api_base"] or None
    key = user_settings.edited(saved, model, base, values["llm_api_key"], values["clear_key"])
    return UserSettings(
        llm_model=model,
        llm_api_base=base,
        llm_api_key=key,
        job_defaults=JobConfig.model_validate(defaults),
    )


class SettingsForm:
    """The saved settings and the form's values; the key's value is emptied once saved."""

    def __init__(self, gw: Gateway, saved: UserSettings) -> None:
        self.gw, self.saved = gw, saved
        self.values: dict[str, Any] = {
            "llm_model": saved.llm_model or "",
            "llm_api_base": saved.llm_api_base or "",
            "llm_api_key": "",
            "clear_key": False,
        }
        self.defaults = saved.job_defaults.model_dump(mode="json")

    async def build(self) -> None:
        self.shown = llm_panel(self.gw, self.saved, self.values)
        with ui.column().classes("df-glass df-panel w-full gap-2 df-defaults"):
            section("Defaults for new jobs")
            panels = config_form.panels(self.defaults, lambda: None)
            with panels["generation"]:
                choices = await templates.choices(self.gw.redis)
                picker(self.defaults["generation"], choices, lambda: None)
        self.errors = forms.error_label()
        save = ui.button("Save settings", icon="save", on_click=self.save)
        save.props("color=primary text-color=black").classes("df-save-settings")

    def save(self) -> None:
        try:
            fresh = updated(self.saved, self.values, self.defaults)
        except ValidationError as exc:
            self.errors.set_text(forms.errors_text(exc))
            self.errors.set_visibility(True)
            return
        user_settings.save(self.gw.settings.data_dir, fresh)
        self.saved, self.values["llm_api_key"], self.values["clear_key"] = fresh, "", False
        self.errors.set_visibility(False)
        self.shown.set_text(f"saved key: {user_settings.masked(fresh.llm_api_key)}")
        ui.notify("Settings saved", type="positive")


def register(app: FastAPI) -> None:
    @ui.page("/settings", title="Settings · AI Data Factory", dark=True, response_timeout=10)
    async def settings_page() -> None:
        gw = components.gateway_of(app)
        with frame("Settings", "/settings"):
            try:
                saved = user_settings.load(gw.settings.data_dir)
            except user_settings.UserSettingsError as exc:
                ui.label(f"{exc}: saving replaces it.").classes("df-bad df-text")
                saved = UserSettings()
            await SettingsForm(gw, saved).build()
