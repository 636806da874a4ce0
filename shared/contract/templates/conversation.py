"""The built-in `conversation` template: multi-turn dialogues grounded in the chunk, every turn
kept in the example's fields so the chat formats write them all."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.contract.templates.base import ChatMessage, ExampleFields, Template, Turns
from shared.contract.templates.errors import TemplateOutputError
from shared.contract.templates.schemas import Text, _Answer

ROLES = ("user", "assistant")


class Turn(_Answer):
    role: Literal["user", "assistant"]
    content: Text


class Dialogue(_Answer):
    turns: list[Turn] = Field(min_length=2)


class ConversationAnswer(_Answer):
    conversations: list[Dialogue] = Field(min_length=1)


class ConversationParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    turns: int = Field(default=3, ge=1, le=10)  # exchanges: a user turn and its reply
    persona: str = Field(default="", max_length=2_000)  # the assistant's; also its system turn


class ConversationTemplate(Template[ConversationAnswer]):
    name = "conversation"
    description = "Multi-turn dialogues between a user and an assistant, grounded in the chunk."
    output = ConversationAnswer
    params = ConversationParams
    item_tokens = 90  # per exchange: a question, a reply of two sentences
    system_prompt = "You are a helpful assistant who answers from what you know to be true."
    task_category = "text-generation"

    def completion_tokens(self, chunk_tokens: int, n: int, **params: Any) -> int:
        exchanges: int = self.resolve(params)["turns"]
        return 10 + n * self.item_tokens * exchanges

    def examples(
        self, answer: ConversationAnswer, chunk_text: str, params: Mapping[str, Any]
    ) -> list[ExampleFields]:
        return [_example(d, params["turns"], params["persona"]) for d in answer.conversations]

    def sample(self, chunk_text: str, n: int, params: Mapping[str, Any]) -> ConversationAnswer:
        def dialogue(i: int) -> Dialogue:
            turns = [
                Turn(role=role, content=f"[dry run] {role} turn {k + 1} of conversation {i}.")
                for k in range(params["turns"])
                for role in ROLES
            ]
            return Dialogue(turns=turns)

        return ConversationAnswer(conversations=[dialogue(i) for i in range(1, n + 1)])

    def turns(self, input: str, output: str, fields: Mapping[str, Any]) -> Turns:
        """One exchange for single-turn formats (Alpaca): the last request, with the
        conversation before it as its input."""
        turns = fields.get("turns") or []
        if len(turns) < 2:
            return Turns(self._system(fields), input, "", output)
        earlier = transcript(turns[:-2])
        return Turns(self._system(fields), turns[-2]["content"], earlier, turns[-1]["content"])

    def dialogue(self, input: str, output: str, fields: Mapping[str, Any]) -> list[ChatMessage]:
        turns = fields.get("turns") or []
        if not turns:
            return super().dialogue(input, output, fields)
        said = [ChatMessage(role=t["role"], content=t["content"]) for t in turns]
        return [ChatMessage(role="system", content=self._system(fields)), *said]

    def _system(self, fields: Mapping[str, Any]) -> str:
        return str(fields.get("persona") or self.system_prompt)


def _example(dialogue: Dialogue, exchanges: int, persona: str) -> ExampleFields:
    """Turns must alternate from the user's; a trailing user turn without reply is dropped
    and at most `exchanges` exchanges are kept."""
    turns = dialogue.turns[: 2 * exchanges]
    if len(turns) % 2:
        turns = turns[:-1]
    for i, turn in enumerate(turns):
        if turn.role != ROLES[i % 2]:
            raise TemplateOutputError("turns_out_of_order", f"turn {i + 1} is {turn.role}")
    if not turns:
        raise TemplateOutputError("no_exchange", "a conversation needs a user turn and a reply")
    said = [t.model_dump() for t in turns]
    fields: dict[str, Any] = {"turns": said} | ({"persona": persona} if persona else {})
    return ExampleFields(input=transcript(said[:-1]), output=said[-1]["content"], fields=fields)


def transcript(turns: list[dict[str, Any]]) -> str:
    """Turns as text: a lone user turn as it is, several with their speakers."""
    if len(turns) == 1:
        return str(turns[0]["content"])
    return "\n\n".join(f"{t['role'].capitalize()}: {t['content']}" for t in turns)
