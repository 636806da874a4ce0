"""Form helpers: values checked with the API's own pydantic models, errors shown per field."""

from __future__ import annotations

from typing import Any, TypeVar

from nicegui import ui
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)


def errors_text(exc: ValidationError) -> str:
    """One sentence per problem: where it is and what is wrong, in words, not codes."""
    return "\n".join(_sentence(error) for error in exc.errors())


def _sentence(error: Any) -> str:
    parts = [str(p).replace("_", " ") for p in error["loc"] if not isinstance(p, int)]
    where = " / ".join(parts) or "This value"
    ctx = error.get("ctx") or {}
    kind, msg = error["type"], str(error["msg"]).removeprefix("Value error, ")
    if kind == "missing" or (kind == "string_too_short" and ctx.get("min_length") == 1):
        said = "is required"
    elif kind == "string_too_short":
        said = f"needs at least {ctx.get('min_length')} characters"
    elif kind == "string_too_long":
        said = f"may have at most {ctx.get('max_length')} characters"
    else:
        said = msg[:1].lower() + msg[1:]
    return f"{where[:1].upper()}{where[1:]} {said}."


def validated(model: type[M], values: dict[str, Any], errors: ui.label) -> M | None:
    """`values` as `model`, or None with the reasons in `errors`."""
    try:
        found = model.model_validate(values)
    except ValidationError as exc:
        errors.set_text(errors_text(exc))
        errors.set_visibility(True)
        return None
    errors.set_visibility(False)
    return found


def error_label() -> ui.label:
    """Where a form's validation errors appear, hidden until there are some."""
    label = ui.label("").classes("df-text df-bad text-xs df-form-errors")
    label.set_visibility(False)
    return label


def dialog() -> ui.dialog:
    """A dialog that is gone once closed, so a page holds only the form in front of the user."""
    found = ui.dialog()
    found.on_value_change(lambda e: None if e.value else found.delete())
    return found
