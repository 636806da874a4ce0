"""Template commands: a user template saved (a new version) or deleted; and a job's template
resolved at submission into the spec its config keeps, so no later edit reaches the job."""

from __future__ import annotations

import asyncio

from redis.asyncio import Redis
from redis.exceptions import WatchError

from services.gateway.commands.log import Written, publish
from services.gateway.queries import templates as queries
from shared.contract import streams
from shared.contract.config import GenerationConfig
from shared.contract.events import TemplateDeleted, TemplateSaved
from shared.contract.ids import derive
from shared.contract.templates import TemplateError, TemplateSpec, checked_spec, template_for

# Concurrent saves of one name: each retry sees the version the other one took.
_ATTEMPTS = 20
SAMPLE_CHUNK = "A chisel is a hand tool with a sharpened edge, used to cut and shape wood."


class TemplateRefused(ValueError):
    """The request cannot be done as asked; `status` is the HTTP status that says why."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def vet(spec: TemplateSpec) -> None:
    """Raises TemplateRefused (422) with the reason a spec may not be saved or run."""
    if spec.name in queries.builtin_names():
        raise TemplateRefused(422, f"{spec.name!r} is a built-in template's name")
    try:
        checked_spec(spec)
    except TemplateError as exc:
        raise TemplateRefused(422, str(exc)) from None


async def save_template(
    redis: Redis, spec: TemplateSpec, *, replacing: bool
) -> tuple[TemplateSaved, Written]:
    """Creates the template (`replacing=False`; 409 if it exists) or saves its next version
    (404 if it does not), after vetting it (a render of up to a second: off the loop)."""
    await asyncio.to_thread(vet, spec)
    for _ in range(_ATTEMPTS):
        async with redis.pipeline(transaction=True) as pipe:
            await pipe.watch(queries.COUNTER, queries.LATEST)
            if bool(await pipe.hexists(queries.LATEST, spec.name)) != replacing:
                verb = "does not exist" if replacing else "exists already"
                raise TemplateRefused(404 if replacing else 409, f"{spec.name!r} {verb}")
            version = int(await pipe.hget(queries.COUNTER, spec.name) or 0) + 1
            event = _saved(spec.model_copy(update={"version": version}))
            pipe.multi()  # type: ignore[no-untyped-call]
            pipe.hset(queries.COUNTER, spec.name, version)
            pipe.hset(queries.LATEST, spec.name, version)
            pipe.hset(queries.versions_key(spec.name), str(version), event.spec.model_dump_json())
            try:
                return event, await publish(pipe, [(streams.EVENTS, event)])
            except WatchError:
                continue
    raise TemplateRefused(409, f"{spec.name!r} is being saved concurrently; try again")


def _saved(spec: TemplateSpec) -> TemplateSaved:
    # A template is not a job: nothing tallies its events.
    return TemplateSaved(event_id=derive(spec.name, "template", spec.version), job_id="", spec=spec)


async def delete_template(redis: Redis, name: str) -> tuple[TemplateDeleted, Written]:
    """New jobs can no longer name it, at any version; jobs that did keep their copy."""
    if name in queries.builtin_names():
        raise TemplateRefused(422, f"{name!r} is a built-in template and cannot be deleted")
    spec = await queries.stored(redis, name)
    if spec is None:
        raise TemplateRefused(404, f"no template {name!r}")
    event = TemplateDeleted(
        event_id=derive(name, "template_deleted", spec.version),
        job_id="",
        name=name,
        version=spec.version,
    )
    async with redis.pipeline(transaction=True) as pipe:
        pipe.hdel(queries.LATEST, name)
        pipe.delete(queries.versions_key(name))
        return event, await publish(pipe, [(streams.EVENTS, event)])


async def resolve(redis: Redis, gen: GenerationConfig) -> GenerationConfig:
    """The generation config a job keeps: a user template named (`name`, `name@version`) or
    carried (`template_spec`, a one-off) becomes its vetted spec; each template must render
    a sample chunk with the job's params. Raises TemplateRefused (422) otherwise."""
    if gen.template_spec is not None:
        await asyncio.to_thread(vet, gen.template_spec)
        gen = gen.model_copy(update={"template": gen.template_spec.name})
    elif gen.template not in queries.builtin_names():
        gen = gen.model_copy(update=await _named(redis, gen.template))
    await asyncio.to_thread(_renders, gen)
    return gen


def _renders(gen: GenerationConfig) -> None:
    try:
        template = template_for(gen.template, gen.template_spec)
        template.render(SAMPLE_CHUNK, n=gen.examples_per_chunk, **gen.template_params)
    except TemplateError as exc:
        raise TemplateRefused(422, f"template {gen.template!r}: {exc}") from None


async def _named(redis: Redis, ref: str) -> dict[str, object]:
    name, _, version = ref.partition("@")
    if version and not version.isdigit():
        raise TemplateRefused(422, f"template {ref!r}: a version is a number, as in {name}@2")
    spec = await queries.stored(redis, name, int(version) if version else None)
    if spec is None:
        known = ", ".join(queries.builtin_names() + [s.name for s in await queries.saved(redis)])
        raise TemplateRefused(422, f"unknown template {ref!r}; known templates: {known}")
    return {"template": name, "template_spec": spec}
