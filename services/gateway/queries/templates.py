"""Templates as users choose them: the built-ins and the saved user templates, each with its
params (type and default); a saved template's spec by name or `name@version`.

A user template's versions live in Redis beside the events that saved them (written in the same
MULTI by `commands.templates`), so a job resolves the newest version at once and atomically."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel
from redis.asyncio import Redis

from shared.contract.templates import TemplateSpec, builtin_source, default_registry, get_template

LATEST = "df:templates:latest"  # name -> its newest version, while the template exists
COUNTER = "df:templates:versions"  # name -> the last version ever given: never reused


def versions_key(name: str) -> str:
    return f"df:template:{name}"  # version -> the spec's JSON


class ParamChoice(BaseModel):
    type: str
    default: Any
    description: str = ""


class TemplateChoice(BaseModel):
    """What a new-job form offers: a template and the params it takes."""

    name: str
    description: str
    kind: Literal["built-in", "user"]
    version: int | None = None
    params: dict[str, ParamChoice]


def builtin_names() -> list[str]:
    return default_registry().names()


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


async def stored(redis: Redis, name: str, version: int | None = None) -> TemplateSpec | None:
    """The saved spec: the newest version, or the one named; None if there is none."""
    if version is None:
        latest = await redis.hget(LATEST, name)
        if latest is None:
            return None
        version = int(_text(latest))
    raw = await redis.hget(versions_key(name), str(version))
    return None if raw is None else TemplateSpec.model_validate_json(raw)


async def saved(redis: Redis) -> list[TemplateSpec]:
    """The newest version of every saved template, by name."""
    latest = {_text(k): _text(v) for k, v in (await redis.hgetall(LATEST)).items()}
    specs = []
    for name in sorted(latest):
        spec = await stored(redis, name, int(latest[name]))
        if spec is not None:
            specs.append(spec)
    return specs


def builtin_choice(name: str) -> TemplateChoice:
    template = get_template(name)
    defaults = template.params().model_dump()
    schema = template.params.model_json_schema().get("properties", {})
    params = {
        key: ParamChoice(type=_kind(schema.get(key, {})), default=value)
        for key, value in defaults.items()
    }
    return TemplateChoice(
        name=name, description=template.description, kind="built-in", params=params
    )


def _kind(schema: dict[str, Any]) -> str:
    """A built-in's param type in the words user templates declare theirs with."""
    kind = str(schema.get("type", "string"))
    return "list" if kind == "array" else kind


def user_choice(spec: TemplateSpec) -> TemplateChoice:
    params = {
        key: ParamChoice(type=p.type, default=p.default, description=p.description)
        for key, p in spec.params.items()
    }
    return TemplateChoice(
        name=spec.name,
        description=spec.description,
        kind="user",
        version=spec.version,
        params=params,
    )


async def choices(redis: Redis) -> list[TemplateChoice]:
    """Every template a job may name, built-ins first, with its params: for the new-job page."""
    users = [user_choice(spec) for spec in await saved(redis)]
    return [builtin_choice(name) for name in builtin_names()] + users


def source_of_builtin(name: str) -> str:
    return builtin_source(name)
