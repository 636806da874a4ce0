"""Errors of the template registry: unknown names, bad parameters, unusable LLM answers."""

from __future__ import annotations


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
