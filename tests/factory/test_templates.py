"""Template registry: rendering, tolerant parsing, errors, and the simulator's answers."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from services.llm_sim import answers
from shared.contract.templates import (
    DEFAULT_LABELS,
    ChatMessage,
    ExampleFields,
    Template,
    TemplateError,
    TemplateOutputError,
    UnknownTemplateError,
    get_template,
    list_templates,
    sandboxed_environment,
)
from shared.contract.templates.schemas import QAAnswer, QAPair
from tests.factory.samples import TEXTS

BUILTINS = ["classification", "conversation", "instruction", "qa", "summarization"]


def simulated_answer(messages: list[ChatMessage], seed: int = 0) -> str:
    prompt = answers.read_prompt([m["content"] for m in messages])
    return json.dumps(answers.answer(prompt, random.Random(seed)))


def test_lists_the_built_in_templates_with_their_output_schemas() -> None:
    infos = list_templates()
    assert [info.name for info in infos] == BUILTINS
    assert all(info.description and info.output_schema["properties"] for info in infos)
    classification = next(info for info in infos if info.name == "classification")
    assert classification.params["labels"] == list(DEFAULT_LABELS)


@pytest.mark.parametrize("name", BUILTINS)
def test_each_template_renders_a_chunk_and_parses_the_simulators_answer(name: str) -> None:
    template = get_template(name)
    messages = template.render(TEXTS[0], n=3)
    assert [m["role"] for m in messages] == ["system", "user"]
    assert TEXTS[0] in messages[1]["content"]
    assert "exactly 3" in messages[1]["content"]
    answer = simulated_answer(messages)
    template.output.model_validate_json(answer)
    examples = template.parse(answer, chunk_text=TEXTS[0])
    assert len(examples) == 3
    assert all(e.input.strip() and e.output.strip() and e.fields for e in examples)


@pytest.mark.parametrize("name", BUILTINS)
def test_each_template_has_a_marked_dry_run_answer_in_its_schema(name: str) -> None:
    template = get_template(name)
    answer = template.mock_answer(TEXTS[0], 3)
    template.output.model_validate_json(answer)
    examples = template.parse(answer, chunk_text=TEXTS[0])
    assert len(examples) == 3
    assert all("[dry run]" in e.input + e.output for e in examples)


@pytest.mark.parametrize("name", BUILTINS)
def test_built_in_templates_pass_their_check(name: str) -> None:
    assert len(get_template(name).check()) == 2


def test_a_template_that_cannot_render_fails_its_check(tmp_path: Path) -> None:
    source = "{% block system %}{{ tone }}{% endblock %}{% block user %}{{ text }}{% endblock %}"
    (tmp_path / "custom.j2").write_text(source)
    with pytest.raises(TemplateError, match="undefined"):
        _Custom(sandboxed_environment(tmp_path)).check()


def test_summaries_take_the_chunk_as_their_input() -> None:
    template = get_template("summarization")
    answer = simulated_answer(template.render(TEXTS[1], n=2))
    examples = template.parse(answer, chunk_text=TEXTS[1])
    assert [e.input for e in examples] == [TEXTS[1], TEXTS[1]]
    assert examples[0].output == "The honey bee is a social insect that lives in colonies."


def test_classification_offers_custom_labels_and_rejects_labels_it_did_not_offer() -> None:
    template = get_template("classification")
    messages = template.render(TEXTS[1], n=2, labels=["insects", "plants"])
    assert "Labels: insects, plants" in messages[1]["content"]
    examples = template.parse(simulated_answer(messages), labels=["insects", "plants"])
    assert {e.output for e in examples} <= {"insects", "plants"}
    assert examples[0].fields["labels"] == ["insects", "plants"]
    wrong = '{"items": [{"text": "Bees make honey.", "label": "cooking"}]}'
    with pytest.raises(TemplateOutputError) as caught:
        template.parse(wrong, labels=["insects", "plants"])
    assert caught.value.reason == "label_not_offered"


def test_instruction_input_joins_instruction_and_its_input() -> None:
    item = {"instruction": "Define it.", "input": "A bee.", "response": "An insect."}
    [example] = get_template("instruction").parse(json.dumps({"examples": [item]}))
    assert example.input == "Define it.\n\nA bee."
    assert example.output == "An insect."


def test_parse_reads_json_inside_fences_and_prose() -> None:
    pairs = '{"pairs": [{"question": "Q?", "answer": "A."}]}'
    [example] = get_template("qa").parse(f"Sure! Here you go:\n```json\n{pairs}\n```\nBye.")
    assert (example.input, example.output) == ("Q?", "A.")
    bare = 'Result: {"pairs": [{"question": "Q?", "answer": "A.", "extra": 1}]} -- done'
    assert get_template("qa").parse(bare)[0].fields == {"question": "Q?", "answer": "A."}


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        ("", "empty_answer"),
        ("I cannot help with that.", "no_json_object"),
        ('{"pairs": [{"question": "What does the text say abo', "no_json_object"),
        ("{'pairs': []}", "no_json_object"),
        ('{"result": "done"}', "schema_mismatch"),
        ('{"pairs": []}', "schema_mismatch"),
        ('{"pairs": [{"question": "  ", "answer": "A."}]}', "schema_mismatch"),
    ],
)
def test_unusable_answers_raise_template_output_error_with_a_reason(
    answer: str, reason: str
) -> None:
    with pytest.raises(TemplateOutputError) as caught:
        get_template("qa").parse(answer)
    assert caught.value.reason == reason
    assert reason in str(caught.value)


def test_unknown_template_names_are_a_clear_error() -> None:
    with pytest.raises(UnknownTemplateError, match=r"unknown template 'poetry'.*qa"):
        get_template("poetry")


def test_unknown_or_invalid_parameters_are_rejected() -> None:
    with pytest.raises(TemplateError, match="bad parameters"):
        get_template("qa").render(TEXTS[0], n=1, tone="pirate")
    with pytest.raises(TemplateError, match="labels"):
        get_template("classification").render(TEXTS[0], n=1, labels=["only-one"])


class _Custom(Template[QAAnswer]):
    name = "custom"
    description = "a user-written template"
    output = QAAnswer

    def examples(self, answer: QAAnswer, chunk_text: str, params: Any) -> list[ExampleFields]:
        return []

    def sample(self, chunk_text: str, n: int, params: Any) -> QAAnswer:
        return QAAnswer(pairs=[QAPair(question="Q?", answer="A.")] * n)


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("{{ ''.__class__.__mro__[1].__subclasses__() }}", "unsafe"),
        ("{{ missing_variable }}", "undefined"),
    ],
)
def test_templates_render_sandboxed_and_strict(tmp_path: Path, body: str, error: str) -> None:
    source = "{% block system %}" + body + "{% endblock %}{% block user %}{{ text }}{% endblock %}"
    (tmp_path / "custom.j2").write_text(source)
    template = _Custom(sandboxed_environment(tmp_path))
    with pytest.raises(TemplateError, match=error):
        template.render("chunk", n=1)
