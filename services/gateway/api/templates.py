"""Template routes: list and show every template (its source included), save and delete user
templates, and resolve a job's template at submission."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path
from pydantic import BaseModel

from services.gateway.api.deps import GatewayDep
from services.gateway.api.problems import problems
from services.gateway.commands import templates as commands
from services.gateway.queries import templates as queries
from shared.contract.templates import TemplateSpec, template_for

router = APIRouter()


class TemplateOut(BaseModel):
    name: str
    description: str
    kind: Literal["built-in", "user"]
    version: int | None = None
    params: dict[str, queries.ParamChoice]
    output_schema: dict[str, Any]
    source: str  # the Jinja2 source; a user template's parts as its `system` and `user` blocks
    spec: TemplateSpec | None = None  # a user template as saved: parts, schema, mapping, sample


class TemplateSavedOut(BaseModel):
    name: str
    version: int
    event_id: str


class TemplateDeletedOut(BaseModel):
    name: str
    event_id: str


def _out(choice: queries.TemplateChoice, spec: TemplateSpec | None) -> TemplateOut:
    if spec is None:
        schema = template_for(choice.name).info().output_schema
        source = queries.source_of_builtin(choice.name)
    else:
        schema = spec.output_schema
        source = _blocks(spec)
    return TemplateOut(**choice.model_dump(), output_schema=schema, source=source, spec=spec)


def _blocks(spec: TemplateSpec) -> str:
    return (
        f"{{% block system %}}\n{spec.system}\n{{% endblock %}}\n"
        f"{{% block user %}}\n{spec.user}\n{{% endblock %}}\n"
    )


def _refused(exc: commands.TemplateRefused) -> HTTPException:
    return HTTPException(exc.status, detail={"message": str(exc)})


@router.get("/api/templates")
async def list_templates(gw: GatewayDep) -> list[TemplateOut]:
    specs = {spec.name: spec for spec in await queries.saved(gw.redis)}
    return [_out(choice, specs.get(choice.name)) for choice in await queries.choices(gw.redis)]


# A saved template's name leads to its reads, its next version (the same body) and its deletion.
_BY_NAME = {"name": "$response.body#/name"}
_TEMPLATE_LINKS = {
    "GetTemplate": {
        "operationId": "show_template_api_templates__name__get",
        "parameters": _BY_NAME,
    },
    "UpdateTemplate": {
        "operationId": "update_template_api_templates__name__put",
        "parameters": _BY_NAME,
        "requestBody": "$request.body",
    },
    "DeleteTemplate": {
        "operationId": "delete_template_api_templates__name__delete",
        "parameters": _BY_NAME,
    },
}
# Built-in templates cannot be deleted: the schema says so, as the 422 does.
UserTemplateName = Annotated[
    str, Path(json_schema_extra={"not": {"enum": queries.builtin_names()}})
]


@router.get("/api/templates/{name}", responses=problems(404))
async def show_template(name: str, gw: GatewayDep) -> TemplateOut:
    """`name`, or `name@version` for a saved template's earlier version."""
    ref = name
    name, _, version = ref.partition("@")
    if name in queries.builtin_names() and not version:
        return _out(queries.builtin_choice(name), None)
    spec = await queries.stored(gw.redis, name, int(version) if version.isdigit() else None)
    if spec is None or (version and not version.isdigit()):
        raise HTTPException(404, detail=f"no template {ref!r}")
    return _out(queries.user_choice(spec), spec)


@router.post(
    "/api/templates",
    status_code=201,
    responses={201: {"description": "Created", "links": _TEMPLATE_LINKS}, **problems(409, 422)},
)
async def create_template(body: TemplateSpec, gw: GatewayDep) -> TemplateSavedOut:
    return await _save(gw, body, replacing=False)


@router.put(
    "/api/templates/{name}",
    responses={200: {"description": "Saved", "links": _TEMPLATE_LINKS}, **problems(404, 409, 422)},
)
async def update_template(
    name: UserTemplateName, body: TemplateSpec, gw: GatewayDep
) -> TemplateSavedOut:
    """Saves the template's next version; jobs submitted before keep theirs."""
    if body.name != name:
        raise HTTPException(422, detail={"message": f"body names {body.name!r}, path {name!r}"})
    return await _save(gw, body, replacing=True)


async def _save(gw: GatewayDep, spec: TemplateSpec, replacing: bool) -> TemplateSavedOut:
    try:
        event, _ = await commands.save_template(gw.redis, spec, replacing=replacing)
    except commands.TemplateRefused as exc:
        raise _refused(exc) from None
    return TemplateSavedOut(name=spec.name, version=event.spec.version, event_id=event.event_id)


@router.delete("/api/templates/{name}", responses=problems(404, 422))
async def delete_template(name: UserTemplateName, gw: GatewayDep) -> TemplateDeletedOut:
    try:
        event, _ = await commands.delete_template(gw.redis, name)
    except commands.TemplateRefused as exc:
        raise _refused(exc) from None
    return TemplateDeletedOut(name=name, event_id=event.event_id)
