"""Template routes: list and show the registry, and check a job's template before it runs."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException

from shared.config import GenerationConfig
from shared.templates import TemplateError, TemplateInfo, UnknownTemplateError, get_template
from shared.templates import list_templates as registry_templates

router = APIRouter()

SAMPLE_CHUNK = "A chisel is a hand tool with a sharpened edge, used to cut and shape wood."


@router.get("/api/templates")
async def list_templates() -> list[TemplateInfo]:
    return registry_templates()


@router.get("/api/templates/{name}")
async def show_template(name: str) -> TemplateInfo:
    for info in registry_templates():
        if info.name == name:
            return info
    raise HTTPException(404, detail=f"no template {name!r}")


def check_generation(config: GenerationConfig) -> None:
    """A job may use a template only if it renders on a sample chunk with the job's params;
    raises 422 with the reason otherwise, before anything is fetched or spent."""
    try:
        template = get_template(config.template)
        template.render(SAMPLE_CHUNK, n=config.examples_per_chunk, **config.template_params)
    except (UnknownTemplateError, TemplateError) as exc:
        raise HTTPException(
            422, detail={"message": f"template {config.template!r}: {exc}"}
        ) from None
