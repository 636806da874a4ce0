"""A prompt template: renders a chunk into chat messages and reads the answer into examples."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any, Generic, Literal, NamedTuple, TypedDict, TypeVar

import jinja2
from jinja2.sandbox import SandboxedEnvironment
from pydantic import BaseModel, ConfigDict, ValidationError

from shared.contract.templates.answers import first_json_object
from shared.contract.templates.errors import TemplateError, TemplateOutputError

OutputT = TypeVar("OutputT", bound=BaseModel)

# The braces and keys around an answer's items.
_ANSWER_FRAME_TOKENS = 10
_SAMPLE_CHUNK = "Bees live in colonies. A colony has one queen. Workers collect nectar."


class ChatMessage(TypedDict):
    role: Literal["system", "user", "assistant"]
    content: str


class ExampleFields(BaseModel):
    """One generated item as a training example: what goes in, what comes out, and the parts."""

    model_config = ConfigDict(frozen=True)

    input: str
    output: str
    fields: dict[str, Any] = {}


class Turns(NamedTuple):
    """An example as one exchange, the shape every chat and instruction format is written
    from: the task (a system turn), the request, its optional input, and the reply."""

    system: str
    instruction: str
    input: str
    output: str


class TemplateInfo(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    description: str
    params: dict[str, Any]
    output_schema: dict[str, Any]


class NoParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Template(ABC, Generic[OutputT]):
    """Subclasses name a `<name>.j2` file (blocks `system` and `user`), an output model and
    map each answer item to an example; rendering and tolerant parsing live here."""

    name: str
    description: str
    output: type[OutputT]
    params: type[BaseModel] = NoParams
    # Expected answer tokens per item: the basis of cost estimates made before a job runs.
    item_tokens: int = 60
    # How exports describe the examples: the task as a system turn, and the hub's category.
    system_prompt: str = "You are a helpful assistant."
    task_category: str = "text-generation"
    # Renders and parses in a worker process (a user's template): a caller on an event loop
    # runs those calls in a thread. Ours render in process: they are trusted and fast.
    isolated: bool = False

    def __init__(self, env: SandboxedEnvironment) -> None:
        self._source = env.get_template(f"{self.name}.j2")

    def info(self) -> TemplateInfo:
        return TemplateInfo(
            name=self.name,
            description=self.description,
            params=self.params().model_dump(),
            output_schema=self.output.model_json_schema(),
        )

    def render(self, chunk_text: str, n: int, **params: Any) -> list[ChatMessage]:
        """The chat messages asking the LLM for `n` items about `chunk_text`."""
        context = {"text": chunk_text, "n": n, **self.resolve(params)}
        return [
            ChatMessage(role="system", content=self._block("system", context)),
            ChatMessage(role="user", content=self._block("user", context)),
        ]

    def parse(self, answer: str, *, chunk_text: str = "", **params: Any) -> list[ExampleFields]:
        """The examples in an LLM answer; `chunk_text` is the chunk the prompt was made from."""
        data = first_json_object(answer)
        try:
            parsed = self.output.model_validate(data)
        except ValidationError as exc:
            raise TemplateOutputError("schema_mismatch", errors_summary(exc)) from None
        return self.examples(parsed, chunk_text, self.resolve(params))

    def resolve(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """The template's parameters: its defaults overridden by `params`, validated."""
        try:
            return self.params.model_validate(dict(params)).model_dump()
        except ValidationError as exc:
            raise TemplateError(
                f"bad parameters for {self.name!r}: {errors_summary(exc)}"
            ) from None

    def completion_tokens(self, chunk_tokens: int, n: int, **params: Any) -> int:
        """The expected size of an answer of `n` items about a chunk (an estimate)."""
        return _ANSWER_FRAME_TOKENS + n * self.item_tokens

    def mock_answer(self, chunk_text: str, n: int, **params: Any) -> str:
        """A schema-valid answer made without an LLM, for dry runs and template checks."""
        return self.sample(chunk_text, n, self.resolve(params)).model_dump_json()

    def check(self, **params: Any) -> list[ExampleFields]:
        """Renders a sample chunk and reads a sample answer: a template that passes may be used."""
        self.render(_SAMPLE_CHUNK, n=2, **params)
        examples = self.parse(self.mock_answer(_SAMPLE_CHUNK, 2, **params), **params)
        if len(examples) != 2:
            raise TemplateError(f"template {self.name!r} made {len(examples)} of 2 sample items")
        return examples

    def turns(self, input: str, output: str, fields: Mapping[str, Any]) -> Turns:
        """How one of this template's examples reads in the chat and instruction formats."""
        return Turns(self.system_prompt, input, "", output)

    def dialogue(self, input: str, output: str, fields: Mapping[str, Any]) -> list[ChatMessage]:
        """The example as chat messages (OpenAI messages, ShareGPT): one exchange unless the
        template keeps several turns."""
        t = self.turns(input, output, fields)
        request = f"{t.instruction}\n\n{t.input}" if t.input else t.instruction
        system = [ChatMessage(role="system", content=t.system)] if t.system else []
        said = [
            ChatMessage(role="user", content=request),
            ChatMessage(role="assistant", content=t.output),
        ]
        return [*system, *said]

    @abstractmethod
    def sample(self, chunk_text: str, n: int, params: Mapping[str, Any]) -> OutputT:
        """`n` placeholder items in the output schema, marked as not generated."""

    @abstractmethod
    def examples(
        self, answer: OutputT, chunk_text: str, params: Mapping[str, Any]
    ) -> list[ExampleFields]: ...

    def _block(self, block: str, context: dict[str, Any]) -> str:
        try:
            render = self._source.blocks[block]
            return "".join(render(self._source.new_context(context))).strip()
        except (jinja2.TemplateError, KeyError) as exc:
            raise TemplateError(f"template {self.name!r} failed to render {block}: {exc}") from exc


def errors_summary(exc: ValidationError, limit: int = 3) -> str:
    """The first `limit` problems of a validation, each as `where: what`."""
    parts = [
        f"{'.'.join(str(p) for p in err['loc']) or '<root>'}: {err['msg']}"
        for err in exc.errors()[:limit]
    ]
    more = exc.error_count() - limit
    return "; ".join(parts) + (f"; and {more} more" if more > 0 else "")
