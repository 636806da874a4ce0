"""`/projects/{id}/new-job`: URLs pasted or uploaded, a preset or per-stage config, the template
and its params, the cost estimate as the config changes, then the job started."""

from __future__ import annotations

from fastapi import FastAPI
from nicegui import ui

from services.gateway.api.deps import Gateway
from services.gateway.dashboard import components, config_form, estimate_card, theme
from services.gateway.dashboard.frame import frame, missing, section
from services.gateway.dashboard.new_job_form import NewJob, url_panel
from services.gateway.dashboard.pages.project import find_project
from services.gateway.dashboard.template_picker import picker
from services.gateway.queries import templates
from shared import user_settings

CHECK_S = 0.5  # how often the estimate catches up with the form's edits
PRESETS = {"quick": "Quick start", "custom": "Custom"}


async def render(gw: Gateway, form: NewJob) -> None:
    with ui.row().classes("w-full gap-5 no-wrap items-start"):
        with ui.column().classes("grow gap-3 df-glass df-panel"):
            section("URLs")
            url_panel(form)
            rejected = ui.refreshable(estimate_card.rejected)
            rejected([])
        with ui.column().classes("w-[30rem] gap-4 df-glass df-corners df-panel"):
            shown = ui.refreshable(estimate_card.estimate)
            shown(None)
            preset = ui.toggle(PRESETS, value=form.preset).props("toggle-color=cyan no-caps")
            preset.classes("df-preset")
            note = theme.label("all defaults: open Custom to change any stage", "normal-case")
            start = ui.button("Start job", icon="rocket_launch").props(
                "color=cyan text-color=black size=lg"
            )
            start.classes("w-full df-start")
            errors = ui.label("").classes("df-text df-bad text-xs df-submit-errors")
    with ui.column().classes("w-full gap-2 df-config") as config:
        section("Config per stage")
        panels = config_form.panels(form.values, form.changed)
        with panels["generation"]:
            picker(form.values["generation"], await templates.choices(gw.redis), form.changed)
    config.bind_visibility_from(preset, "value", value="custom")
    note.bind_visibility_from(preset, "value", value="quick")
    preset.on_value_change(lambda e: form.set_preset(e.value))

    async def check() -> None:
        if not form.dirty:
            return
        form.dirty = False
        found, problem = await form.estimate()
        shown.refresh(found, problem)
        rejected.refresh(found.rejected if found else [])

    async def submit() -> None:
        start.disable()
        try:
            job_id = await form.submit()
        except ValueError as exc:
            errors.set_text(str(exc))
            start.enable()
            return
        ui.navigate.to(f"/jobs/{job_id}")

    start.on_click(submit)
    ui.timer(CHECK_S, check)


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
                missing("project")
                return
            with ui.row().classes("items-center gap-3"):
                ui.link(f"← {project.name}", f"/projects/{project_id}").classes("df-link")
            defaults = user_settings.load(gw.settings.data_dir).job_defaults
            await render(gw, NewJob(gw, project, defaults))
