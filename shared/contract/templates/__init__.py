"""Prompt templates by name: render a chunk into chat messages, parse the answer into examples."""

from shared.contract.templates.base import ChatMessage, ExampleFields, Template, TemplateInfo, Turns
from shared.contract.templates.errors import (
    TemplateError,
    TemplateOutputError,
    TemplateTimeout,
    UnknownTemplateError,
)
from shared.contract.templates.isolated import IsolatedTemplate, checked_spec
from shared.contract.templates.registry import (
    TemplateRegistry,
    builtin_source,
    default_registry,
    get_template,
    list_templates,
    sandboxed_environment,
    template_for,
)
from shared.contract.templates.schemas import DEFAULT_LABELS
from shared.contract.templates.spec import TemplateSpec
from shared.contract.templates.user import UserTemplate

__all__ = [
    "DEFAULT_LABELS",
    "ChatMessage",
    "ExampleFields",
    "IsolatedTemplate",
    "Template",
    "TemplateError",
    "TemplateInfo",
    "TemplateOutputError",
    "TemplateRegistry",
    "TemplateSpec",
    "TemplateTimeout",
    "Turns",
    "UnknownTemplateError",
    "UserTemplate",
    "builtin_source",
    "checked_spec",
    "default_registry",
    "get_template",
    "list_templates",
    "sandboxed_environment",
    "template_for",
]
