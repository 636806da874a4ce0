"""Looks templates up by name; the built-ins come from Jinja2 files in a sandboxed environment."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from shared.contract.templates.base import Template, TemplateInfo
from shared.contract.templates.builtins import BUILTINS
from shared.contract.templates.errors import UnknownTemplateError
from shared.contract.templates.isolated import IsolatedTemplate
from shared.contract.templates.spec import TemplateSpec

_HERE = Path(__file__).resolve().parent


def sandboxed_environment(directory: Path = _HERE) -> SandboxedEnvironment:
    """Templates may be written by users: no attribute tricks, no silently empty variables."""
    return SandboxedEnvironment(
        loader=FileSystemLoader(directory),
        undefined=StrictUndefined,
        autoescape=False,  # prompts are plain text, never HTML
        trim_blocks=True,
        lstrip_blocks=True,
    )


class TemplateRegistry:
    def __init__(self, templates: Iterable[Template[Any]]) -> None:
        self._by_name = {template.name: template for template in templates}

    def get(self, name: str) -> Template[Any]:
        try:
            return self._by_name[name]
        except KeyError:
            raise UnknownTemplateError(name, sorted(self._by_name)) from None

    def names(self) -> list[str]:
        return sorted(self._by_name)

    def infos(self) -> list[TemplateInfo]:
        return [self._by_name[name].info() for name in sorted(self._by_name)]


@functools.cache
def default_registry() -> TemplateRegistry:
    env = sandboxed_environment()
    return TemplateRegistry(cls(env) for cls in BUILTINS)


def get_template(name: str) -> Template[Any]:
    return default_registry().get(name)


def list_templates() -> list[TemplateInfo]:
    return default_registry().infos()


def builtin_source(name: str) -> str:
    """The Jinja2 source of a built-in template."""
    default_registry().get(name)  # unknown names raise
    return (_HERE / f"{name}.j2").read_text()


def template_for(name: str, spec: TemplateSpec | None = None) -> Template[Any]:
    """A job's template: the built-in of that name, or the user's template its config holds
    (fixed at submission, so every replica renders the same version)."""
    if spec is None:
        return get_template(name)
    return _user_template(spec.model_dump_json())


@functools.lru_cache(maxsize=64)
def _user_template(spec_json: str) -> IsolatedTemplate:
    # Its worker compiles it once and keeps it: per job and worker, not per chunk.
    return IsolatedTemplate(TemplateSpec.model_validate_json(spec_json))
