"""Whether a user template may be saved or run: the checks behind every 422 on a template,
made here in the process that calls them (a template worker: see `isolated.checked_spec`)."""

from __future__ import annotations

from collections.abc import Mapping

from shared.contract.templates.errors import TemplateError, TemplateOutputError, cut
from shared.contract.templates.spec import ParamSpec, TemplateSpec
from shared.contract.templates.user import UserTemplate, schema_validator


def check_in_process(spec: TemplateSpec) -> UserTemplate:
    """The template, if it may be saved or run: its schema is JSON Schema, its mapping names
    the schema's properties, its params' defaults fit their types, and it renders a sample
    chunk whose sample answer parses. Raises TemplateError with the reason."""
    validator = schema_validator(spec.output_schema)
    props = spec.output_schema.get("properties")
    if spec.output_schema.get("type") != "object" or not isinstance(props, dict):
        raise TemplateError("output_schema must be an object schema with properties")
    missing = sorted({f for f in spec.mapping.fields() if f not in props})
    if missing:
        raise TemplateError(f"mapping names fields the schema lacks: {', '.join(missing)}")
    if spec.sample is not None and not validator.is_valid(spec.sample):
        error = next(iter(validator.iter_errors(spec.sample)))
        raise TemplateError(cut(f"sample does not fit output_schema: {error.message}"))
    _typed_defaults(spec.params)
    template = UserTemplate(spec)
    try:
        template.check()
    except TemplateOutputError as exc:
        if exc.reason == "schema_unresolvable":
            raise TemplateError(cut(f"output_schema: {exc.detail}")) from None
        why = f"its sample answer does not fit (declare a sample): {exc}"
        raise TemplateError(cut(why)) from None
    except TemplateError:
        raise
    except Exception as exc:  # e.g. a schema whose $ref resolves nowhere, a minItems of "x"
        raise TemplateError(cut(f"its check failed: {type(exc).__name__}: {exc}")) from None
    return template


def _typed_defaults(params: Mapping[str, ParamSpec]) -> None:
    for name, param in params.items():
        value = param.default
        fits = (
            param.type == "boolean"
            if isinstance(value, bool)
            else isinstance(value, _DEFAULT_TYPES[param.type])
        )
        if not fits:
            raise TemplateError(cut(f"param {name!r}: default {value!r} is not {param.type}"))


_DEFAULT_TYPES: dict[str, type | tuple[type, ...]] = {
    "string": str,
    "integer": int,
    "number": (int, float),
    "boolean": bool,
    "list": list,
}
