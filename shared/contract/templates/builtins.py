"""The built-in templates: qa, summarization, classification, instruction and conversation."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shared.contract.templates.base import ExampleFields, Template, Turns
from shared.contract.templates.conversation import ConversationTemplate
from shared.contract.templates.errors import TemplateOutputError
from shared.contract.templates.schemas import (
    ClassificationAnswer,
    ClassificationParams,
    Instruction,
    InstructionAnswer,
    Labelled,
    QAAnswer,
    QAPair,
    Summary,
    SummaryAnswer,
)

# Dry-run answers say what they are, so nobody mistakes them for generated text.
_MARK = "[dry run]"


class QATemplate(Template[QAAnswer]):
    name = "qa"
    description = "Question-answer pairs answerable from the chunk alone."
    output = QAAnswer
    item_tokens = 55  # a one-line question, a one-sentence answer, the JSON around them
    system_prompt = "You answer questions accurately and concisely."
    task_category = "question-answering"

    def examples(
        self, answer: QAAnswer, chunk_text: str, params: Mapping[str, Any]
    ) -> list[ExampleFields]:
        return [
            ExampleFields(input=p.question, output=p.answer, fields=p.model_dump())
            for p in answer.pairs
        ]

    def sample(self, chunk_text: str, n: int, params: Mapping[str, Any]) -> QAAnswer:
        pairs = [
            QAPair(question=f"{_MARK} Question {i} about the document?", answer=f"{_MARK} Answer.")
            for i in range(1, n + 1)
        ]
        return QAAnswer(pairs=pairs)


class SummarizationTemplate(Template[SummaryAnswer]):
    name = "summarization"
    description = "Summaries of the chunk, from one sentence to detailed; the chunk is the input."
    output = SummaryAnswer
    item_tokens = 30  # the shortest summary; longer ones grow with the chunk
    system_prompt = "You summarize texts faithfully."
    task_category = "summarization"

    def turns(self, input: str, output: str, fields: Mapping[str, Any]) -> Turns:
        return Turns(self.system_prompt, "Summarize the following text.", input, output)

    def completion_tokens(self, chunk_tokens: int, n: int, **params: Any) -> int:
        # From one sentence up to about half the chunk: on average a quarter of it each.
        return super().completion_tokens(chunk_tokens, n) + n * chunk_tokens // 4

    def examples(
        self, answer: SummaryAnswer, chunk_text: str, params: Mapping[str, Any]
    ) -> list[ExampleFields]:
        return [
            ExampleFields(input=chunk_text, output=s.summary, fields=s.model_dump())
            for s in answer.summaries
        ]

    def sample(self, chunk_text: str, n: int, params: Mapping[str, Any]) -> SummaryAnswer:
        summaries = [Summary(summary=f"{_MARK} Summary {i}.") for i in range(1, n + 1)]
        return SummaryAnswer(summaries=summaries)


class ClassificationTemplate(Template[ClassificationAnswer]):
    name = "classification"
    description = "Passages of the chunk, each with one label from a configurable label set."
    output = ClassificationAnswer
    params = ClassificationParams
    item_tokens = 50  # a copied passage of one or two sentences and its label
    system_prompt = "You label passages with one label from a given set."
    task_category = "text-classification"

    def turns(self, input: str, output: str, fields: Mapping[str, Any]) -> Turns:
        labels = ", ".join(str(label) for label in fields.get("labels", ()))
        ask = f"Label the passage with one of: {labels}." if labels else "Label the passage."
        return Turns(self.system_prompt, ask, input, output)

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

    def sample(self, chunk_text: str, n: int, params: Mapping[str, Any]) -> ClassificationAnswer:
        labels = params["labels"]
        items = [
            Labelled(text=f"{_MARK} Passage {i}.", label=labels[i % len(labels)]) for i in range(n)
        ]
        return ClassificationAnswer(items=items)


class InstructionTemplate(Template[InstructionAnswer]):
    name = "instruction"
    description = "Instruction, optional input and response, grounded in the chunk."
    output = InstructionAnswer
    item_tokens = 110  # instruction, a short input, a paragraph of response

    def turns(self, input: str, output: str, fields: Mapping[str, Any]) -> Turns:
        # The parts as generated; `input` joins them for the plain formats.
        if not fields.get("instruction"):
            return super().turns(input, output, fields)
        return Turns(self.system_prompt, fields["instruction"], fields.get("input", ""), output)

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

    def sample(self, chunk_text: str, n: int, params: Mapping[str, Any]) -> InstructionAnswer:
        examples = [
            Instruction(instruction=f"{_MARK} Instruction {i}.", response=f"{_MARK} Response.")
            for i in range(1, n + 1)
        ]
        return InstructionAnswer(examples=examples)


BUILTINS: tuple[type[Template[Any]], ...] = (
    QATemplate,
    SummarizationTemplate,
    ClassificationTemplate,
    InstructionTemplate,
    ConversationTemplate,
)
