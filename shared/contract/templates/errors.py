"""Errors of the template registry: unknown names, bad parameters, unusable LLM answers."""

from __future__ import annotations

# An error's text reaches responses, events and logs: a few hundred characters say why.
MAX_DETAIL_CHARS = 300


def cut(text: str, limit: int = MAX_DETAIL_CHARS) -> str:
    """`text` no longer than `limit` characters, marked where it was cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


class TemplateError(Exception):
    """A template could not be found, rendered or applied."""


class UnknownTemplateError(TemplateError):
    def __init__(self, name: str, known: list[str]) -> None:
        super().__init__(f"unknown template {name!r}; known templates: {', '.join(known)}")
        self.name = name


class TemplateOutputError(TemplateError):
    """An LLM answer that does not hold the JSON the template asked for; `reason` says why."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


class TemplateTimeout(TemplateError):
    """A user template's render (`template_timeout`) or an answer's validation against its
    schema (`schema_timeout`) ran past its deadline, and its worker process was killed."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
