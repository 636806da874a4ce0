"""A user's template: its parts rendered in the sandbox, its answer items checked against its
JSON Schema and mapped to examples and chat turns as its mapping says."""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from typing import Any

from jsonschema import Draft202012Validator
from pydantic import BaseModel, ConfigDict, Field, create_model
from referencing.exceptions import Unresolvable

from shared.contract.templates import output_schema, sandbox, vetting
from shared.contract.templates.base import ChatMessage, ExampleFields, Template, TemplateInfo, Turns
from shared.contract.templates.errors import TemplateOutputError, cut
from shared.contract.templates.instances import instance
from shared.contract.templates.spec import TemplateSpec

# What render gives every part besides the params; the simulator finds the schema by its tags.
CONTEXT_NAMES = frozenset({"text", "n", "schema"})
USER_MARKER = "[datafactory-template: user]"
_PYTHON_TYPES: dict[str, Any] = {
    "string": str,
    "integer": int,
    "number": float,
    "boolean": bool,
    "list": list[Any],
}


class ItemsAnswer(BaseModel):
    model_config = ConfigDict(extra="ignore")

    items: list[dict[str, Any]] = Field(min_length=1)


def params_model(spec: TemplateSpec) -> type[BaseModel]:
    """The declared params as a model: typed, with their defaults, nothing undeclared."""
    fields: dict[str, Any] = {
        name: (_PYTHON_TYPES[p.type], p.default) for name, p in spec.params.items()
    }
    config = ConfigDict(extra="forbid", frozen=True)
    return create_model(f"{spec.name}_params", __config__=config, **fields)


def schema_validator(schema: dict[str, Any]) -> Draft202012Validator:
    """The validator of a user's output schema, if it may be used (see `output_schema.vet`)."""
    return output_schema.vetted_validator(schema)


class UserTemplate(Template[ItemsAnswer]):
    output = ItemsAnswer
    item_tokens = 80

    def __init__(self, spec: TemplateSpec) -> None:  # no file: the parts come from the spec
        self.spec, self.name, self.description = spec, spec.name, spec.description
        self.params = params_model(spec)
        self.system_prompt = spec.mapping.chat.system or spec.description or self.system_prompt
        self._schema_text = json.dumps(spec.output_schema, sort_keys=True)

    # Compiled on first use, so a template that only maps examples (exports) or renders in a
    # worker process (`IsolatedTemplate`) never compiles a user's source where it runs.
    @functools.cached_property
    def _parts(self) -> dict[str, Any]:
        names = set(CONTEXT_NAMES | self.spec.params.keys())
        env = sandbox.PromptSandbox()
        return {
            part: vetting.checked(env, getattr(self.spec, part), names, part)
            for part in ("system", "user")
        }

    @functools.cached_property
    def _validator(self) -> Draft202012Validator:
        return schema_validator(self.spec.output_schema)

    def info(self) -> TemplateInfo:
        defaults = {name: p.default for name, p in self.spec.params.items()}
        return TemplateInfo(
            name=self.name,
            description=self.description,
            params=defaults,
            output_schema=self.spec.output_schema,
        )

    def render(self, chunk_text: str, n: int, **params: Any) -> list[ChatMessage]:
        context = {"text": chunk_text, "n": n, "schema": self._schema_text, **self.resolve(params)}
        system = sandbox.render(self._parts["system"], context, "system")
        user = sandbox.render(self._parts["user"], context, "user")
        return [
            ChatMessage(role="system", content=f"{system}\n\n{self._answer_form(n)}"),
            ChatMessage(role="user", content=user),
        ]

    def _answer_form(self, n: int) -> str:
        # In the system turn, ahead of the chunk, so a provider's prefix cache still applies.
        form = (
            f"{USER_MARKER}\nAnswer with one JSON object and nothing else, of the form "
            f'{{"items": [...]}} with exactly {n} items. Each item follows this JSON Schema:\n'
            f"<output-schema>{self._schema_text}</output-schema>"
        )
        if self.spec.sample is None:
            return form
        sample = json.dumps(self.spec.sample, sort_keys=True)
        return f"{form}\nAn item of that form:\n<sample-item>{sample}</sample-item>"

    def examples(
        self, answer: ItemsAnswer, chunk_text: str, params: Mapping[str, Any]
    ) -> list[ExampleFields]:
        mapping = self.spec.mapping
        out = []
        for item in answer.items:
            try:
                error = next(iter(self._validator.iter_errors(item)), None)
            except Unresolvable as exc:  # a reference the sample answer never reached
                raise TemplateOutputError("schema_unresolvable", cut(str(exc))) from None
            if error is not None:
                where = ".".join(str(p) for p in error.absolute_path) or "item"
                raise TemplateOutputError("schema_mismatch", cut(f"{where}: {error.message}"))
            input, output = _text(item, mapping.input), _text(item, mapping.output)
            out.append(ExampleFields(input=input, output=output, fields=item))
        return out

    def sample(self, chunk_text: str, n: int, params: Mapping[str, Any]) -> ItemsAnswer:
        if self.spec.sample is not None:
            return ItemsAnswer(items=[self.spec.sample] * n)
        items = [instance(self.spec.output_schema, _dry_run(i)) for i in range(1, n + 1)]
        return ItemsAnswer(items=items)

    def turns(self, input: str, output: str, fields: Mapping[str, Any]) -> Turns:
        chat = self.spec.mapping.chat
        user = _text(fields, chat.user) if chat.user else input
        context = _text(fields, chat.context) if chat.context else ""
        reply = _text(fields, chat.assistant) if chat.assistant else output
        return Turns(self.system_prompt, user, context, reply)


def _text(item: Mapping[str, Any], name: str) -> str:
    value = item.get(name)
    if value is None:
        raise TemplateOutputError("missing_field", name)
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _dry_run(index: int) -> Any:
    return lambda path: f"[dry run] {path or 'value'} {index}."
