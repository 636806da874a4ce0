"""The built-in conversation template: multi-turn dialogues grounded in the chunk, written
whole to OpenAI messages and ShareGPT, and checked turn by turn by the inspector."""

from __future__ import annotations

import json
import random
from typing import Any

import orjson
import pytest

from services.inspector.checks.base import Item
from services.inspector.checks.format import check_format
from services.inspector.checks.groundedness import check_groundedness
from services.llm_sim import answers
from services.shipper.formats import alpaca, openai, sharegpt
from services.shipper.records import row
from shared.contract.config import QualityConfig
from shared.contract.events import ExampleGenerated
from shared.contract.templates import TemplateOutputError, get_template
from tests.factory.samples import TEXTS
from tests.shipper.samples import scored
from tests.shipper.test_formats import openai_format_errors

CONVERSATION = get_template("conversation")


def dialogue(exchanges: int = 3, persona: str = "") -> list[Any]:
    messages = CONVERSATION.render(TEXTS[1], n=2, turns=exchanges, persona=persona)
    prompt = answers.read_prompt([m["content"] for m in messages])
    answer = json.dumps(answers.answer(prompt, random.Random(3)))
    return CONVERSATION.parse(answer, chunk_text=TEXTS[1], turns=exchanges, persona=persona)


def example(fields: dict[str, Any], input: str, output: str) -> ExampleGenerated:
    base = scored(1, template="qa").example
    changes = {"template": "conversation", "fields": fields, "input": input, "output": output}
    return base.model_copy(update=changes | {"source": TEXTS[1]})


def test_a_conversation_has_the_asked_exchanges_and_the_persona() -> None:
    [first, second] = dialogue(exchanges=3, persona="A patient beekeeper.")
    turns = first.fields["turns"]
    assert [t["role"] for t in turns] == ["user", "assistant"] * 3
    assert first.output == turns[-1]["content"] and "User: " in first.input
    assert first.fields["persona"] == "A patient beekeeper."
    assert second.fields["turns"] != turns
    system = CONVERSATION.render(TEXTS[1], n=1, persona="A patient beekeeper.")[0]["content"]
    assert "A patient beekeeper." in system and TEXTS[1] not in system


def test_turns_out_of_order_are_malformed() -> None:
    turns = [{"role": "assistant", "content": "Hi."}, {"role": "user", "content": "Hello."}]
    with pytest.raises(TemplateOutputError) as caught:
        CONVERSATION.parse(json.dumps({"conversations": [{"turns": turns}]}))
    assert caught.value.reason == "turns_out_of_order"


@pytest.mark.parametrize("persona", ["", "A patient beekeeper."])
def test_openai_and_sharegpt_records_keep_every_turn_and_pass_the_format_rules(
    persona: str,
) -> None:
    [ex, _] = dialogue(exchanges=3, persona=persona)
    staged = row(
        scored(1).model_copy(update={"example": example(ex.fields, ex.input, ex.output)}), 0.7
    )
    messages = orjson.loads(orjson.dumps(openai(staged)))
    assert openai_format_errors(messages) == []
    said = [m["content"] for m in messages["messages"][1:]]
    assert said == [t["content"] for t in ex.fields["turns"]]
    assert messages["messages"][0]["content"] == (persona or CONVERSATION.system_prompt)
    conversation = sharegpt(staged)["conversations"]
    assert [c["from"] for c in conversation] == ["system"] + ["human", "gpt"] * 3
    assert [c["value"] for c in conversation[1:]] == said
    single = alpaca(staged)
    assert (single["instruction"], single["output"]) == (said[-2], said[-1])
    assert said[0] in single["input"]


def test_the_inspector_checks_every_turn() -> None:
    [ex, _] = dialogue(exchanges=3)
    quality = QualityConfig()
    good = Item(example(ex.fields, ex.input, ex.output), quality)
    assert check_format([good])[0].failed is False
    assert check_groundedness([good])[0].failed is False
    for index, text in ((2, "TODO"), (3, "Hi"), (4, "Bees.")):
        turns = [dict(t) for t in ex.fields["turns"]]
        turns[index - 1]["content"] = text
        bad = Item(example({"turns": turns}, ex.input, ex.output), quality)
        finding = check_format([bad])[0]
        assert finding.failed and f"turn {index}" in str(finding.reason)
    invented = [dict(t) for t in ex.fields["turns"]]
    invented[1]["content"] = "Quantum chromodynamics explains the strong nuclear interaction."
    ungrounded = Item(example({"turns": invented}, ex.input, ex.output), quality)
    assert check_groundedness([ungrounded])[0].failed


def test_an_answer_is_expected_to_grow_with_the_exchanges() -> None:
    three = CONVERSATION.completion_tokens(400, 2)
    assert CONVERSATION.completion_tokens(400, 2, turns=9) == 10 + (three - 10) * 3
