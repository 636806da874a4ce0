"""`/projects/{id}/new-job`: URLs pasted or uploaded, a preset or per-stage config, the template
and its params, the cost estimate as the config changes, then the job started."""

from __future__ import annotations

from fastapi import FastAPI
from nicegui import ui

from services.gateway.container import Gateway
from services.gateway.dashboard import components, config_form, estimate_card, theme
from services.gateway.dashboard.frame import frame, section
from services.gateway.dashboard.new_job_form import NewJob, url_panel
from services.gateway.dashboard.pages.project import find_project
from services.gateway.dashboard.template_picker import picker
from services.gateway.queries import templates
from services.gateway.queries.templates import TemplateChoice
from shared import user_settings

CHECK_S = 0.5  # how often the estimate catches up with the form's edits
PRESETS = {"quick": "Quick start", "custom": "Custom"}


class NewJobView:
    """The form's panels: URLs and bad ones, the estimate with the preset and start, config."""

    def __init__(self, form: NewJob) -> None:
        self.form = form
        self.rejected = ui.refreshable(estimate_card.rejected)
        self.estimate = ui.refreshable(estimate_card.estimate)

    def urls(self) -> None:
        with ui.column().classes("grow basis-0 min-w-0 gap-3 df-glass df-panel"):
            section("URLs")
            url_panel(self.form)
            self.rejected([])

    def start(self, choices: list[TemplateChoice]) -> ui.toggle:
        with ui.column().classes("w-[30rem] max-w-full gap-4 df-glass df-corners df-panel"):
            self.estimate(None)
            picker(self.form.values["generation"], choices, self.form.changed)
            preset = ui.toggle(PRESETS, value=self.form.preset).props(
                "toggle-color=primary no-caps"
            )
            preset.classes("df-preset").on_value_change(lambda e: self.form.set_preset(e.value))
            note = theme.label("all defaults: open Custom to change any stage", "normal-case")
            note.bind_visibility_from(preset, "value", value="quick")
            self.button = ui.button("Start job", icon="rocket_launch", on_click=self.submit)
            self.button.props("color=primary text-color=black size=lg").classes("w-full df-start")
            self.errors = ui.label("").classes("df-text df-bad text-xs df-submit-errors")
        return preset

    def config(self, preset: ui.toggle) -> None:
        with ui.column().classes("w-full gap-2 df-config") as column:
            section("Config per stage")
            config_form.panels(self.form.values, self.form.changed)
        column.bind_visibility_from(preset, "value", value="custom")

    async def check(self) -> None:
        """Estimates again once the form has changed since the last estimate."""
        if not self.form.dirty:
            return
        self.form.dirty = False
        self.errors.set_text("")  # a refusal was about the form as it was
        found, problem = await self.form.estimate()
        self.estimate.refresh(found, problem)
        self.rejected.refresh(found.rejected if found else [])

    async def submit(self) -> None:
        self.button.disable()
        try:
            job_id = await self.form.submit()
        except ValueError as exc:
            self.errors.set_text(str(exc))
            self.button.enable()
            return
        ui.navigate.to(f"/jobs/{job_id}")


async def render(gw: Gateway, form: NewJob) -> None:
    view = NewJobView(form)
    choices = await templates.choices(gw.redis)
    with ui.row().classes("w-full gap-5 no-wrap items-start df-stack"):
        view.urls()
        preset = view.start(choices)
    view.config(preset)
    ui.timer(CHECK_S, view.check)


def register(app: FastAPI) -> None:
    @ui.page(
        "/projects/{project_id}/new-job",
        title="New job · AI Data Factory",
        dark=True,
        response_timeout=10,
    )
    async def new_job_page(project_id: str) -> None:
        gw = components.gateway_of(app)
        with frame("New job", "/projects"):
            project = await find_project(gw, project_id)
            if project is None:
                return
            with ui.row().classes("items-center gap-3"):
                ui.link(f"← {project.name}", f"/projects/{project_id}").classes("df-link")
            defaults = user_settings.load(gw.settings.data_dir).job_defaults
            await render(gw, NewJob(gw, project, defaults))
