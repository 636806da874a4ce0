"""The built-in templates: qa, summarization, classification and instruction."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from shared.templates.base import ExampleFields, Template
from shared.templates.errors import TemplateOutputError

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
DEFAULT_LABELS = (
    "science",
    "technology",
    "business",
    "politics",
    "health",
    "sports",
    "culture",
    "education",
    "other",
)


class _Answer(BaseModel):
    # LLMs add keys nobody asked for; the ones we need are still checked.
    model_config = ConfigDict(extra="ignore")


class QAPair(_Answer):
    question: Text
    answer: Text


class QAAnswer(_Answer):
    pairs: list[QAPair] = Field(min_length=1)


class Summary(_Answer):
    summary: Text


class SummaryAnswer(_Answer):
    summaries: list[Summary] = Field(min_length=1)


class Labelled(_Answer):
    text: Text
    label: Text


class ClassificationAnswer(_Answer):
    items: list[Labelled] = Field(min_length=1)


class ClassificationParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    labels: list[Text] = Field(default=list(DEFAULT_LABELS), min_length=2)


class Instruction(_Answer):
    instruction: Text
    input: str = ""
    response: Text


class InstructionAnswer(_Answer):
    examples: list[Instruction] = Field(min_length=1)


class QATemplate(Template[QAAnswer]):
    name = "qa"
    description = "Question-answer pairs answerable from the chunk alone."
    output = QAAnswer

    def examples(
        self, answer: QAAnswer, chunk_text: str, params: Mapping[str, Any]
    ) -> list[ExampleFields]:
        return [
            ExampleFields(input=p.question, output=p.answer, fields=p.model_dump())
            for p in answer.pairs
        ]


class SummarizationTemplate(Template[SummaryAnswer]):
    name = "summarization"
    description = "Summaries of the chunk, from one sentence to detailed; the chunk is the input."
    output = SummaryAnswer

    def examples(
        self, answer: SummaryAnswer, chunk_text: str, params: Mapping[str, Any]
    ) -> list[ExampleFields]:
        return [
            ExampleFields(input=chunk_text, output=s.summary, fields=s.model_dump())
            for s in answer.summaries
        ]


class ClassificationTemplate(Template[ClassificationAnswer]):
    name = "classification"
    description = "Passages of the chunk, each with one label from a configurable label set."
    output = ClassificationAnswer
    params = ClassificationParams

    def examples(
        self, answer: ClassificationAnswer, chunk_text: str, params: Mapping[str, Any]
    ) -> list[ExampleFields]:
        offered = {label.casefold(): label for label in params["labels"]}
        out = []
        for item in answer.items:
            label = offered.get(item.label.casefold())
            if label is None:
                raise TemplateOutputError("label_not_offered", repr(item.label))
            fields = {"text": item.text, "label": label, "labels": list(params["labels"])}
            out.append(ExampleFields(input=item.text, output=label, fields=fields))
        return out


class InstructionTemplate(Template[InstructionAnswer]):
    name = "instruction"
    description = "Instruction, optional input and response, grounded in the chunk."
    output = InstructionAnswer

    def examples(
        self, answer: InstructionAnswer, chunk_text: str, params: Mapping[str, Any]
    ) -> list[ExampleFields]:
        return [
            ExampleFields(
                input=f"{e.instruction}\n\n{e.input}" if e.input.strip() else e.instruction,
                output=e.response,
                fields=e.model_dump(),
            )
            for e in answer.examples
        ]


BUILTINS: tuple[type[Template[Any]], ...] = (
    QATemplate,
    SummarizationTemplate,
    ClassificationTemplate,
    InstructionTemplate,
)
