"""Turns one ChunkMade into its examples: render, ask the LLM, parse, repair, or fail clearly."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from services.factory import outcomes
from services.factory.batches import Batcher
from services.factory.calls import Caller
from services.factory.values import Call, LLMFailure, Reply, Spend
from shared.contract.config import GenerationConfig, JobConfig
from shared.contract.events import ChunkMade
from shared.contract.templates import (
    ExampleFields,
    Template,
    TemplateError,
    TemplateOutputError,
    TemplateTimeout,
    UnknownTemplateError,
    template_for,
)
from shared.runtime import model_policy
from shared.runtime.commit import Emit
from shared.settings import Settings

log = logging.getLogger("datafactory.factory")
T = TypeVar("T")


class MalformedOutput(Exception):
    """Every answer for a chunk, repairs included, failed to parse."""


class Generator:
    def __init__(self, caller: Caller, batcher: Batcher, settings: Settings, repairs: int) -> None:
        self._caller, self._batcher = caller, batcher
        self._settings, self._repairs = settings, repairs

    async def __call__(self, chunk: ChunkMade, job: JobConfig) -> list[Emit]:
        gen = job.generation
        # The gateway refused such a job already; work can reach the stream another way.
        refused = model_policy.refusal(self._settings, gen)
        if refused is not None:
            return [outcomes.failed(chunk, refused.reason, refused.detail, Spend())]
        try:
            template = template_for(gen.template, gen.template_spec)
            call = await _off_loop(template, self._call, chunk, gen, template)
        except TemplateError as exc:
            return [outcomes.failed(chunk, _template_reason(exc), str(exc), Spend())]
        return await self._generate(chunk, template, call)

    async def _generate(self, chunk: ChunkMade, template: Template[Any], call: Call) -> list[Emit]:
        spend = Spend()
        try:
            items = await self._ask(chunk, template, call, spend)
        except LLMFailure as exc:
            spend.failed(exc)
            log.warning("chunk %s: %s after %s", chunk.event_id, exc.reason, spend)
            return [outcomes.failed(chunk, exc.reason, exc.detail, spend, exc.outcome)]
        except MalformedOutput as exc:
            log.warning("chunk %s: malformed output after %s", chunk.event_id, spend)
            return [outcomes.failed(chunk, "malformed_output", str(exc), spend)]
        except TemplateError as exc:  # its schema timed out in the worker: no repair helps
            log.warning("chunk %s: %s after %s", chunk.event_id, exc, spend)
            return [outcomes.failed(chunk, _template_reason(exc), str(exc), spend)]
        log.debug("chunk %s: %d examples after %s", chunk.event_id, len(items), spend)
        return outcomes.generated(chunk, call.gen, items, spend.usage, call.model)

    def _call(self, chunk: ChunkMade, gen: GenerationConfig, template: Template[Any]) -> Call:
        n, params = gen.examples_per_chunk, gen.template_params
        return Call(
            job_id=chunk.job_id,
            owner=chunk.event_id,
            model=model_policy.job_model(self._settings, gen),
            gen=gen,
            messages=template.render(chunk.text, n=n, **params),
            completion_tokens=template.completion_tokens(chunk.token_count, n, **params),
            mock_answer=template.mock_answer(chunk.text, n, **params) if gen.dry_run else "",
        )

    async def _ask(
        self, chunk: ChunkMade, template: Template[Any], call: Call, spend: Spend
    ) -> list[ExampleFields]:
        """The parsed items; an unusable answer is shown back to the LLM up to `repairs` times."""
        params = call.gen.template_params
        for attempt in range(1 + self._repairs):
            reply = await (self._first(call) if attempt == 0 else self._caller.ask(call))
            spend.add(reply)
            try:
                items = await _off_loop(
                    template, template.parse, reply.text, chunk_text=chunk.text, **params
                )
                return items[: call.gen.examples_per_chunk]
            except TemplateOutputError as exc:
                error, answer = exc, reply.text
                call = call.repaired(answer, exc)
        raise MalformedOutput(f"{error} | answer: {answer[:1500]}")

    async def _first(self, call: Call) -> Reply:
        """Batch mode asks the provider's batch first; a line it failed goes online, as does
        a model whose provider has no batch API, and repairs (one call each: not worth a
        batch's wait)."""
        if call.gen.mode == "batch" and not call.gen.dry_run:
            try:
                return await self._batcher.ask(call)
            except LLMFailure as exc:
                if exc.reason not in ("batch_line_failed", "batch_unsupported"):
                    raise
                log.info("%s: %s (%s); asking online", call.owner, exc.reason, exc.detail)
        return await self._caller.ask(call)


def _template_reason(exc: TemplateError) -> str:
    if isinstance(exc, TemplateTimeout):
        return exc.reason  # template_timeout, schema_timeout
    return "unknown_template" if isinstance(exc, UnknownTemplateError) else "template_error"


async def _off_loop(template: Template[Any], fn: Callable[..., T], *args: Any, **kw: Any) -> T:
    """`fn(*args)`, in a thread for a user's template: it waits on its worker process for up
    to its deadline, and the loop keeps serving the other chunks meanwhile."""
    if template.isolated:
        return await asyncio.to_thread(fn, *args, **kw)
    return fn(*args, **kw)
