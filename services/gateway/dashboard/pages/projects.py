"""`/projects`: every project with its job count; create, edit and delete."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import FastAPI
from nicegui import ui

from services.gateway.commands import projects as commands
from services.gateway.commands.bodies import ProjectIn
from services.gateway.commands.log import Written
from services.gateway.container import Gateway, written_visible
from services.gateway.dashboard import components, forms, theme
from services.gateway.dashboard.frame import empty, frame
from services.gateway.queries import views
from services.gateway.queries.job_models import ProjectOut

NAV = ("Projects", "/projects", 20)
Reload = Callable[[], Awaitable[None]]


def buttons(dialog: ui.dialog, labels: tuple[str, str], act: Reload, color: str) -> None:
    """A dialog's way out and its action, right-aligned."""
    with ui.row().classes("w-full justify-end"):
        ui.button(labels[0], on_click=dialog.close).props("flat color=grey-5")
        ui.button(labels[1], on_click=act).props(f"color={color} text-color=black")


async def done(gw: Gateway, dialog: ui.dialog, reload: Reload, written: Written) -> None:
    """Closes the dialog once the projector shows the command's result, then lists again."""
    await written_visible(gw, written)
    dialog.close()
    await reload()


def project_dialog(gw: Gateway, reload: Reload, project: ProjectOut | None = None) -> ui.dialog:
    """Creates a project, or edits `project`; both validate against the API's ProjectIn."""
    with forms.dialog() as dialog, ui.card().classes("w-[32rem] max-w-full gap-3 df-project-form"):
        theme.label("edit project" if project else "new project")
        name = ui.input("Name", value=project.name or "" if project else "").classes("w-full")
        text = project.description or "" if project else ""
        description = ui.textarea("Description", value=text).classes("w-full")
        errors = forms.error_label()

        async def save() -> None:
            body = forms.validated(
                ProjectIn, {"name": name.value, "description": description.value}, errors
            )
            if body is None:
                return
            if project is None:
                _, written = await commands.create_project(gw.redis, body.name, body.description)
            else:
                args = (gw.redis, project.id, body.name, body.description)
                _, written = await commands.update_project(*args)
            await done(gw, dialog, reload, written)

        buttons(dialog, ("Cancel", "Save"), save, "primary")
    return dialog


def delete_dialog(gw: Gateway, reload: Reload, project: ProjectOut) -> ui.dialog:
    with forms.dialog() as dialog, ui.card().classes("w-[32rem] max-w-full gap-3 df-delete-form"):
        theme.label("delete project")
        ui.label(f"Delete {project.name}? Its jobs stay in the log.").classes("df-text")
        cancel_jobs = ui.checkbox("Cancel its active jobs first")
        errors = forms.error_label()

        async def delete() -> None:
            try:
                deletion = await commands.delete_project(
                    gw.redis, gw.reader, project.id, cancel_jobs=cancel_jobs.value
                )
            except commands.ProjectHasActiveJobs as exc:
                errors.set_text(str(exc))
                errors.set_visibility(True)
                return
            await done(gw, dialog, reload, deletion.written)

        buttons(dialog, ("Keep", "Delete"), delete, "warning")
    return dialog


def project_card(gw: Gateway, reload: Reload, project: ProjectOut) -> None:
    with ui.column().classes("df-glass df-corners df-panel gap-2 w-[22rem] max-w-full df-project"):
        ui.link(project.name or project.id, f"/projects/{project.id}").classes(
            "text-lg df-link font-semibold"
        )
        components.text_block(project.description or "no description", "df-muted")
        with ui.row().classes("w-full items-center gap-4"):
            theme.number(theme.plural(project.job_count, "job"), "text-sm df-accent")
            theme.moment("created", project.created_at, "text-xs df-muted")
            ui.space()
            edit = ui.button(
                icon="edit", on_click=lambda: project_dialog(gw, reload, project).open()
            )
            edit.props('flat round dense color=primary aria-label="Edit project"').tooltip("Edit")
            edit.mark(f"edit-{project.id}")
            drop = ui.button(
                icon="delete", on_click=lambda: delete_dialog(gw, reload, project).open()
            )
            drop.props('flat round dense color=warning aria-label="Delete project"')
            drop.tooltip("Delete")
            drop.mark(f"delete-{project.id}")


def register(app: FastAPI) -> None:
    @ui.page("/projects", title="Projects · AI Data Factory", dark=True, response_timeout=10)
    async def projects_page() -> None:
        gw = components.gateway_of(app)
        with frame("Projects", "/projects"):

            @ui.refreshable
            async def listing() -> None:
                found = await views.list_projects(gw.reader)
                if not found:
                    empty("No projects yet: create one to start a job.")
                with ui.row().classes("w-full gap-4"):
                    for project in found:
                        project_card(gw, listing.refresh, project)

            with ui.row().classes("w-full items-center"):
                theme.label("projects", "df-bracket")
                ui.space()
                new = ui.button("New project", icon="add")
                new.props("color=primary text-color=black").classes("df-new-project")
                new.on_click(lambda: project_dialog(gw, listing.refresh).open())
            await listing()
