"""The new-job form's state and its URL panel: the job it would start is checked and started
through the API's own models and route."""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException
from nicegui import events, ui
from pydantic import ValidationError

from services.gateway.commands import submission
from services.gateway.commands.bodies import JobRequest
from services.gateway.container import Gateway
from services.gateway.dashboard import forms
from services.gateway.dashboard import url_input as urls_in
from services.gateway.queries.job_models import ProjectOut, SubmissionEstimate
from shared.contract.config import JobConfig


class NewJob:
    """The form's state: the URLs text, the config as a dict, and the preset."""

    def __init__(self, gw: Gateway, project: ProjectOut, defaults: JobConfig) -> None:
        self.gw, self.project, self.defaults = gw, project, defaults
        self.values: dict[str, Any] = defaults.model_dump(mode="json")
        self.preset = "quick"
        self.text = ""
        self.dirty = True

    def changed(self) -> None:
        self.dirty = True

    def set_text(self, text: str | None) -> None:
        self.text, self.dirty = text or "", True

    def set_preset(self, preset: str) -> None:
        self.preset, self.dirty = preset, True

    def request(self) -> JobRequest:
        """The same body the API takes: raises ValidationError with each field's problem."""
        config = JobConfig.model_validate(self.values if self.preset == "custom" else self.quick())
        return JobRequest(urls=urls_in.from_text(self.text), config=config)

    def quick(self) -> dict[str, Any]:
        """The defaults, with the template the form chose: the picker serves both presets."""
        chosen = {k: self.values["generation"][k] for k in ("template", "template_params")}
        config = self.defaults.model_dump(mode="json")
        config["generation"] |= chosen
        return config

    async def estimate(self) -> tuple[SubmissionEstimate | None, str]:
        try:
            body = self.request()
        except ValidationError as exc:
            return None, forms.errors_text(exc)
        if not body.urls:
            return None, ""
        # The API's own route: a user template is priced from its saved spec, as it would run.
        return await submission.estimate(self.gw, body), ""

    async def submit(self) -> str:
        """Starts the job through the API's own route; returns its id, or raises ValueError
        with the reason it was refused."""
        try:
            body = self.request()
        except ValidationError as exc:
            raise ValueError(forms.errors_text(exc)) from None
        try:
            accepted = await submission.submit(self.gw, self.project.id, body)
        except HTTPException as exc:
            raise ValueError(_detail(exc.detail)) from None
        return accepted.job_id


def _detail(detail: Any) -> str:
    if isinstance(detail, dict):
        bad = [f"{r['url']}: {r['reason']}" for r in detail.get("rejected", [])]
        return "\n".join([str(detail.get("message", "")), *bad[:20]])
    return str(detail)


def url_panel(form: NewJob) -> ui.textarea:
    area = ui.textarea("URLs, one a line", placeholder="https://docs.example.com/guide")
    # It grows with its lines up to a height, then scrolls: what follows it stays in view.
    style = "min-height: 12rem; max-height: 22rem; overflow-y: auto"
    area.classes("w-full df-urls").props(f'outlined dark autogrow input-style="{style}"')
    area.on_value_change(lambda e: form.set_text(e.value))

    async def uploaded(event: events.UploadEventArguments) -> None:
        try:
            found = urls_in.from_file(event.file.name, await event.file.read())
        except urls_in.UploadRefused as exc:
            ui.notify(str(exc), type="negative", multi_line=True)
            return
        area.set_value("\n".join(filter(None, [area.value or "", *found])))
        ui.notify(f"{len(found):,} URLs read from {event.file.name}")

    def refused() -> None:
        limit = f"{urls_in.MAX_UPLOAD_BYTES:,} bytes"
        ui.notify(
            f"file refused: a URL list is a .txt or .csv file of at most {limit}", type="negative"
        )

    upload = ui.upload(
        label="or upload a .txt / .csv list",
        auto_upload=True,
        max_file_size=urls_in.MAX_UPLOAD_BYTES,
        on_upload=uploaded,
        on_rejected=refused,
    )
    upload.props('accept=".txt,.csv" flat bordered dark').classes("w-full df-upload")
    return area
