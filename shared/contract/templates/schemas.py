"""Output schemas of the built-in templates: the JSON each asks the LLM for, as pydantic models."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

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


# Every label goes into every prompt of the job: their number and length bound what a call
# costs and what the job's config holds.
Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
MAX_LABELS = 100


class ClassificationParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    labels: list[Label] = Field(default=list(DEFAULT_LABELS), min_length=2, max_length=MAX_LABELS)


class Instruction(_Answer):
    instruction: Text
    input: str = ""
    response: Text


class InstructionAnswer(_Answer):
    examples: list[Instruction] = Field(min_length=1)
