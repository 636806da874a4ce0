"""Turns one ChunkMade into its examples: render, ask the LLM, parse, repair, or fail clearly."""

from __future__ import annotations

import logging
from typing import Any

from services.factory import logic, outcomes
from services.factory.llm import LLMClient, LLMFailure
from shared.commit import Emit
from shared.events import ChunkMade
from shared.runtime import StageContext, failure
from shared.templates import (
    ChatMessage,
    ExampleFields,
    Template,
    TemplateError,
    TemplateOutputError,
    UnknownTemplateError,
    get_template,
)

log = logging.getLogger("datafactory.factory")


class MalformedOutput(Exception):
    """Every answer for a chunk, repairs included, failed to parse."""


class Generator:
    def __init__(self, llm: LLMClient, default_model: str, repairs: int) -> None:
        self._llm, self._default_model, self._repairs = llm, default_model, repairs

    async def __call__(self, chunk: ChunkMade, ctx: StageContext) -> list[Emit]:
        gen = chunk.config.generation
        try:
            template = get_template(gen.template)
            messages = template.render(chunk.text, n=gen.examples_per_chunk)
        except TemplateError as exc:
            return [failure("factory", chunk, _template_reason(exc), str(exc))]
        return await self._generate(chunk, template, messages)

    async def _generate(
        self, chunk: ChunkMade, template: Template[Any], messages: list[ChatMessage]
    ) -> list[Emit]:
        model = chunk.config.generation.model or self._default_model
        try:
            items, usage = await self._ask(chunk, template, messages, model)
        except LLMFailure as exc:
            log.warning("chunk %s: %s", chunk.event_id, exc.reason)
            return [failure("factory", chunk, exc.reason, exc.detail)]
        except MalformedOutput as exc:
            log.warning("chunk %s: malformed output, repairs exhausted", chunk.event_id)
            return [failure("factory", chunk, "malformed_output", str(exc))]
        n = chunk.config.generation.examples_per_chunk
        return outcomes.generated(chunk, items[:n], usage, model)

    async def _ask(
        self, chunk: ChunkMade, template: Template[Any], messages: list[ChatMessage], model: str
    ) -> tuple[list[ExampleFields], logic.Usage]:
        """The parsed items and the usage of every call they took, repairs included."""
        usage = logic.Usage()
        for _ in range(1 + self._repairs):
            reply = await self._llm.complete(messages, model, chunk.config.generation, chunk.job_id)
            usage += reply.usage
            try:
                return template.parse(reply.text, chunk_text=chunk.text), usage
            except TemplateOutputError as exc:
                error, answer = exc, reply.text
                messages = logic.repair(messages, answer, exc)
        raise MalformedOutput(f"{error} | answer: {answer[:1500]}")


def _template_reason(exc: TemplateError) -> str:
    return "unknown_template" if isinstance(exc, UnknownTemplateError) else "template_error"
