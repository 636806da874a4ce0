"""Job and template files for the CLI: JSON or YAML, validated with the API's own models before
anything is sent; a bad file gets an error naming the file and the field."""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from shared.contract.config import JobConfig
from shared.contract.templates import TemplateError, TemplateSpec, checked_spec
from shared.contract.templates.base import errors_summary

# A job file is either the API's request body or a config alone.
_BODY_KEYS = frozenset({"urls", "config"})


class JobFileError(ValueError):
    """A file that cannot be read or does not validate; the message names the field."""


class _NoAliasLoader(yaml.SafeLoader):
    """SafeLoader without aliases: nine lines of nested `*a` references make a billion
    values for whatever walks them (validation, json.dumps), stalling the CLI. A job file
    has no need of them."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            alias: yaml.AliasEvent = self.get_event()  # type: ignore[no-untyped-call]
            line = alias.start_mark.line + 1 if alias.start_mark else "?"
            raise yaml.YAMLError(f"line {line}: aliases (*name) are refused in job files")
        return super().compose_node(parent, index)


@dataclass(frozen=True)
class JobFile:
    urls: list[str]
    config: dict[str, Any]  # as the API takes it: what is left out keeps its default


def read_data(path: Path) -> Any:
    """The file's value: JSON for `.json`, else YAML (which reads JSON too)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise JobFileError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        return (
            json.loads(text) if path.suffix == ".json" else yaml.load(text, Loader=_NoAliasLoader)
        )
    except (ValueError, yaml.YAMLError) as exc:
        kind = "JSON" if path.suffix == ".json" else "YAML"
        raise JobFileError(f"{path}: not valid {kind}: {exc}") from None


def validated(path: Path, model: type[BaseModel], data: Any) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise JobFileError(f"{path}: {errors_summary(exc, limit=5)}") from None


def load_job(path: Path) -> JobFile:
    data = read_data(path)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise JobFileError(f"{path}: a job file holds a mapping, not {type(data).__name__}")
    is_body = bool(data) and data.keys() <= _BODY_KEYS
    config = data.get("config", {}) if is_body else data
    urls = data.get("urls", []) if is_body else []
    if not isinstance(urls, list) or not all(isinstance(u, str) for u in urls):
        raise JobFileError(f"{path}: urls: a list of strings")
    validated(path, JobConfig, config)
    return JobFile(urls=urls, config=config or {})


def load_template(path: Path) -> TemplateSpec:
    """A user template's spec that would pass the gateway's checks."""
    spec: TemplateSpec = validated(path, TemplateSpec, read_data(path))
    try:
        checked_spec(spec)
    except TemplateError as exc:
        raise JobFileError(f"{path}: {exc}") from None
    return spec


def from_args(args: argparse.Namespace) -> JobFile:
    """The job the command line asks for: the job file, then the flags over it."""
    job = load_job(Path(args.config)) if args.config else JobFile([], {})
    config = json.loads(json.dumps(job.config))  # a deep copy to set flags into
    generation = config.setdefault("generation", {})
    flags = {"template": args.template, "examples_per_chunk": args.examples_per_chunk}
    generation.update({k: v for k, v in flags.items() if v is not None})
    if args.template_file:
        spec = load_template(Path(args.template_file))
        generation.update(template=spec.name, template_spec=spec.model_dump(mode="json"))
    if args.format:
        config.setdefault("export", {})["format"] = args.format
    if not generation:
        del config["generation"]
    validated(Path(args.config or "<flags>"), JobConfig, config)
    return JobFile(urls=job.urls, config=config)
