"""A user template as the services use it: it renders and validates answers in a worker
process (`pool`), where a deadline can kill what the sandbox's caps miss; mapping examples
and chat turns, which run no user code, stay in the calling process."""

from __future__ import annotations

from typing import Any

from shared.contract.templates.base import ChatMessage, ExampleFields
from shared.contract.templates.pool import WorkerPool, default_pool
from shared.contract.templates.spec import TemplateSpec
from shared.contract.templates.user import UserTemplate

# Past the sandbox's own 1 s render limit, which stops a Python loop without a kill.
RENDER_DEADLINE_S = 1.5
SCHEMA_DEADLINE_S = 1.5
CHECK_DEADLINE_S = 1.5  # a save's check: compile, render a sample, validate its answer


class IsolatedTemplate(UserTemplate):
    isolated = True

    def __init__(self, spec: TemplateSpec, pool: WorkerPool | None = None) -> None:
        super().__init__(spec)
        self.pool = pool or default_pool()
        self._spec_json = spec.model_dump_json()

    def render(self, chunk_text: str, n: int, **params: Any) -> list[ChatMessage]:
        request = {"op": "render", "spec": self._spec_json, "text": chunk_text, "n": n}
        found = self.pool.ask(request | {"params": params}, RENDER_DEADLINE_S, "template_timeout")
        return [ChatMessage(role=m["role"], content=m["content"]) for m in found]

    def parse(self, answer: str, *, chunk_text: str = "", **params: Any) -> list[ExampleFields]:
        # The chunk is not sent: a user template's items carry their own input.
        request = {"op": "parse", "spec": self._spec_json, "answer": answer, "params": params}
        found = self.pool.ask(request, SCHEMA_DEADLINE_S, "schema_timeout")
        return [ExampleFields.model_validate(item) for item in found]

    def check_spec(self) -> None:
        """Raises TemplateError unless the template may be saved or run (`check_in_process`)."""
        request = {"op": "check", "spec": self._spec_json}
        self.pool.ask(request, CHECK_DEADLINE_S, "template_timeout")


def checked_spec(spec: TemplateSpec, pool: WorkerPool | None = None) -> IsolatedTemplate:
    """The template, if it may be saved or run, checked in a worker process: its schema is
    safe JSON Schema, its mapping names the schema's properties, its params' defaults fit their
    types, and it renders a sample chunk whose sample answer parses. Raises TemplateError
    (TemplateTimeout past its deadline) with the reason."""
    template = IsolatedTemplate(spec, pool)
    template.check_spec()
    return template
