"""A user template: validated on save, rendered with its schema, answered by the simulator,
its items checked against the schema and mapped to examples and chat turns."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

from services.llm_sim import answers
from shared.contract.templates import TemplateError, TemplateOutputError, TemplateSpec, checked_spec
from shared.contract.templates.user import UserTemplate
from tests.factory.samples import TEXTS
from tests.templates.samples import claims


def template(**changes: Any) -> UserTemplate:
    return checked_spec(TemplateSpec(**claims(**changes)))


def simulated(messages: list[Any]) -> str:
    prompt = answers.read_prompt([m["content"] for m in messages])
    return json.dumps(answers.answer(prompt, random.Random(1)))


def test_the_prompt_carries_the_schema_and_the_simulator_answers_in_it() -> None:
    claims_template = template()
    messages = claims_template.render(TEXTS[1], n=3, topics=["bees"])
    assert "about bees" in messages[1]["content"] and TEXTS[1] in messages[1]["content"]
    assert "<output-schema>" in messages[0]["content"]  # the system turn, ahead of the chunk
    examples = claims_template.parse(simulated(messages), chunk_text=TEXTS[1])
    assert len(examples) == 3
    for example in examples:
        assert example.input == example.fields["claim"] and example.input in TEXTS[1]
        assert example.output == example.fields["evidence"] != example.input
        assert 0 <= example.fields["confidence"] <= 1


def test_an_answer_that_breaks_the_schema_is_malformed() -> None:
    bad = json.dumps({"items": [{"claim": "Bees fly.", "evidence": 5}]})
    with pytest.raises(TemplateOutputError) as caught:
        template().parse(bad)
    assert caught.value.reason == "schema_mismatch" and "evidence" in str(caught.value)


def test_params_are_typed_and_undeclared_ones_refused() -> None:
    with pytest.raises(TemplateError, match="strict"):
        template().render("text", 1, strict="maybe")
    with pytest.raises(TemplateError, match="tone"):
        template().render("text", 1, tone="dry")


def test_the_chat_turns_follow_the_mapping() -> None:
    fields = {"claim": "Bees make honey.", "evidence": "Workers make honey from nectar."}
    turns = template().turns("ignored", "ignored too", fields)
    assert turns.system == "You back claims with evidence."
    assert (turns.instruction, turns.output) == (fields["claim"], "ignored too")
    dialogue = template().dialogue(fields["claim"], fields["evidence"], fields)
    assert [m["role"] for m in dialogue] == ["system", "user", "assistant"]


def test_a_declared_sample_is_the_dry_run_answer() -> None:
    sample = {"claim": "[dry run] a claim.", "evidence": "[dry run] its evidence."}
    examples = template(sample=sample).check()
    assert [e.fields for e in examples] == [sample, sample]


BAD = {
    "schema_not_json_schema": (
        {"output_schema": {"type": "object", "properties": {"claim": {"type": 5}}}},
        "not valid JSON Schema",
    ),
    "mapping_to_missing_field": (
        {"mapping": {"input": "claim", "output": "proof"}},
        "schema lacks: proof",
    ),
    "chat_mapping_to_missing_field": (
        {"mapping": {"input": "claim", "output": "evidence", "chat": {"context": "source"}}},
        "schema lacks: source",
    ),
    "does_not_parse": ({"user": "{% for x in %}"}, "does not parse"),
    "unknown_variable": ({"system": "{{ tone }}"}, "unknown names: tone"),
    "sample_off_schema": ({"sample": {"claim": 1, "evidence": "e"}}, "sample does not fit"),
    "default_of_wrong_type": (
        {"params": {"strict": {"type": "boolean", "default": "yes"}}},
        "is not boolean",
    ),
    "huge_default": (
        {"params": {"topics": {"type": "list", "default": ["bees"] * 2_000}}},
        "longer than 4000",
    ),
    "reserved_param": ({"params": {"text": {"type": "string", "default": ""}}}, "reserved"),
    "dangling_ref": (
        {
            "output_schema": {
                "type": "object",
                "properties": {"claim": {"$ref": "#/$defs/nowhere"}, "evidence": {}},
            }
        },
        "PointerToNowhere",
    ),
    "unfillable_schema": (
        {
            "output_schema": {
                "type": "object",
                "properties": {"claim": {"type": "string", "minLength": 900}, "evidence": {}},
            }
        },
        "declare a sample",
    ),
    "remote_ref": (
        {
            "output_schema": {
                "type": "object",
                "properties": {"claim": {"$ref": "https://example.com/s.json"}, "evidence": {}},
            }
        },
        "only references within the schema",
    ),
    "regex": (
        {
            "output_schema": {
                "type": "object",
                "properties": {"claim": {"type": "string", "pattern": "^(a+)+$"}, "evidence": {}},
            }
        },
        "pattern and patternProperties are not allowed",
    ),
}


@pytest.mark.parametrize(("changes", "reason"), BAD.values(), ids=BAD.keys())
def test_a_template_that_fails_validation_says_why(changes: dict[str, Any], reason: str) -> None:
    with pytest.raises((TemplateError, ValueError), match=reason):
        template(**changes)


def test_the_simulator_answers_with_the_declared_sample_when_the_schema_is_strict() -> None:
    strict = {
        "type": "object",
        "properties": {"claim": {"type": "string", "minLength": 300}, "evidence": {}},
        "required": ["claim", "evidence"],
    }
    sample = {"claim": "Bees make honey. " * 20, "evidence": "Bees make honey."}
    declared = template(output_schema=strict, sample=sample)
    messages = declared.render(TEXTS[1], n=2)
    assert "<sample-item>" in messages[0]["content"]
    examples = declared.parse(simulated(messages))
    assert [e.fields for e in examples] == [sample, sample]


def test_a_schema_nested_too_deep_is_refused_before_anything_recurses_into_it() -> None:
    deep: dict[str, Any] = {"type": "string"}
    for _ in range(500):
        deep = {"type": "array", "items": deep}
    schema = {"type": "object", "properties": {"claim": deep, "evidence": {}}}
    with pytest.raises(ValueError, match="nested deeper than 32"):
        TemplateSpec(**claims(output_schema=schema))


def test_an_answer_reaching_a_reference_that_resolves_nowhere_is_malformed() -> None:
    schema = claims()["output_schema"]
    schema["properties"]["note"] = {"$ref": "#/$defs/nowhere"}
    answer = json.dumps({"items": [{"claim": "Bees fly.", "evidence": "They do.", "note": 1}]})
    with pytest.raises(TemplateOutputError) as caught:
        template(output_schema=schema, sample={"claim": "C.", "evidence": "E."}).parse(answer)
    assert caught.value.reason == "schema_unresolvable"
