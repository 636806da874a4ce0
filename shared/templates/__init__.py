"""Prompt templates by name: render a chunk into chat messages, parse the answer into examples."""

from shared.templates.base import ChatMessage, ExampleFields, Template, TemplateInfo, Turns
from shared.templates.errors import TemplateError, TemplateOutputError, UnknownTemplateError
from shared.templates.registry import (
    TemplateRegistry,
    default_registry,
    get_template,
    list_templates,
    sandboxed_environment,
)
from shared.templates.schemas import DEFAULT_LABELS

__all__ = [
    "DEFAULT_LABELS",
    "ChatMessage",
    "ExampleFields",
    "Template",
    "TemplateError",
    "TemplateInfo",
    "TemplateOutputError",
    "TemplateRegistry",
    "Turns",
    "UnknownTemplateError",
    "default_registry",
    "get_template",
    "list_templates",
    "sandboxed_environment",
]
