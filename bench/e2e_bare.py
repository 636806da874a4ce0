"""The bare work of a job in one asyncio process: the reference the e2e pipeline is held to.

Per page, in the event loop thread: the refiner's pure `refine` (trafilatura with the stage's
options, tiktoken chunking, language, junk verdicts, MinHash), an in-memory exact and LSH
dedup; per kept chunk, one call to the simulator with the qa prompt over a bare httpx client
(at most `concurrency` in flight), the answer parsed by the template and the inspector's
checks on its examples, batched over a short window. No Redis, no events, no processes.
"""

from __future__ import annotations

import asyncio
import inspect
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bench.e2e_web import Page
from services.inspector.cmudict_offline import ensure_cmudict
from services.refiner import fingerprint, logic
from shared.contract.config import JobConfig
from shared.contract.templates import ExampleFields, TemplateOutputError, get_template

# Loop turns handed to the answers between two pages: a call's answer takes a few turns to
# be read, parsed and replaced by the next call.
YIELDS = 8
# Examples are checked in batches gathered over this long: the toxicity model's per-call
# overhead is most of its cost.
CHECK_WINDOW_S = 0.05


@dataclass
class BareResult:
    seconds: float
    cpu_s: float  # this process, user + system
    chunks: int
    duplicates: int
    examples: int
    passed: int
    failed_calls: int


class Dedup:
    """Exact keys and LSH bands of the chunks kept so far, as the refiner's index decides."""

    def __init__(self, threshold: float) -> None:
        self.threshold = threshold
        self.keys: set[str] = set()
        self.bands: dict[str, list[bytes]] = {}

    def keep(self, chunk: logic.Chunk) -> bool:
        if chunk.key in self.keys:
            return False
        near = (sig for band in chunk.bands for sig in self.bands.get(band, ()))
        if any(fingerprint.similarity(chunk.signature, sig) >= self.threshold for sig in near):
            return False
        self.keys.add(chunk.key)
        for band in chunk.bands:
            self.bands.setdefault(band, []).append(chunk.signature)
        return True


def _own_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


Check = Callable[[list[tuple[ExampleFields, Page, str]]], int]  # (example, page, chunk text)


def inspector_checks(config: JobConfig, cache: Path) -> Check:
    """The inspector's checks on a batch of examples; returns how many pass. Its API is being
    reworked: this is the one place to adapt, and a shape it does not know fails here,
    loudly, before anything is measured."""
    from services.inspector import app
    from services.inspector import logic as checks

    ensure_cmudict(cache)  # textstat's dictionary, as the inspector's start-up writes it
    if hasattr(checks, "assess") and hasattr(checks, "verdict"):
        return _v2_checks(config)
    scorers, run = getattr(app, "SCORERS", None), getattr(checks, "inspect", None)
    params = list(inspect.signature(run).parameters) if callable(run) else []
    if scorers is None or params not in (["batch", "scorers"], ["example", "scorers"]):
        shape = f"inspect{inspect.signature(run)}" if callable(run) else "no logic.inspect"
        raise RuntimeError(
            f"inspector API changed ({shape}, app.SCORERS "
            f"{'missing' if scorers is None else 'present'}): adapt "
            "bench/e2e_bare.py inspector_checks(), or run with --skip-bare"
        )
    assert run is not None

    def check(batch: list[tuple[ExampleFields, Page, str]]) -> int:
        events = [_event(example, page, text, config) for example, page, text in batch]
        if params[0] == "batch":
            verdicts = run([(event, config.quality) for event in events], scorers)
        else:  # one example a call: the toxicity model still runs once for the batch
            texts = list(dict.fromkeys(t for e in events for t in (e.input, e.output)))
            toxic = dict(zip(texts, scorers.toxic(texts), strict=True))
            scorers_of = getattr(checks, "Scorers")  # noqa: B009 - absent after the rework
            lookup = scorers_of(flesch=scorers.flesch, toxic=lambda ts: [toxic[t] for t in ts])
            verdicts = [run(event, lookup) for event in events]
        return sum(bool(verdict.passed) for verdict in verdicts)

    return check


def _v2_checks(config: JobConfig) -> Check:
    """Inspector v2: the early checks of a batch, then the weighted verdict. The checks that
    need Redis or an LLM (accepted-set duplicates, the judge) are left out."""
    from services.inspector import logic as checks
    from services.inspector import models
    from services.inspector.checks.base import Item
    from shared.settings import Settings

    settings = Settings()
    built = models.build(settings.detoxify_checkpoint, settings.detoxify_config_dir)

    def check(batch: list[tuple[ExampleFields, Page, str]]) -> int:
        items = [Item(_event(*item, config), config.quality) for item in batch]
        found = checks.assess(items, built)
        verdicts = [checks.verdict(f, item.quality) for item, f in zip(items, found, strict=True)]
        return sum(bool(verdict.passed) for verdict in verdicts)

    return check


def _event(example: ExampleFields, page: Page, text: str, config: JobConfig) -> Any:
    from shared.contract.events import ExampleGenerated

    # Events carried the job's config until it moved to Redis by reference; the chunk's text
    # came later, for the groundedness check.
    fields = ExampleGenerated.model_fields
    extra: dict[str, Any] = {"config": config} if "config" in fields else {}
    extra |= {"source": text} if "source" in fields else {}
    return ExampleGenerated(
        event_id="bare", job_id="bare", chunk_id="bare", document_id="bare", url=page.url,
        template="qa", input=example.input, output=example.output, fields=example.fields,
        model="gpt-4o-mini", prompt_tokens=0, completion_tokens=0, cost_usd=0.0, **extra,
    )  # fmt: skip


class Bare:
    def __init__(self, sim_url: str, concurrency: int, config: JobConfig, check: Check) -> None:
        self.sim_url, self.config = sim_url, config
        self.concurrency, self.limit = concurrency, asyncio.Semaphore(concurrency)
        self.template = get_template(config.generation.template)
        self.check = check
        self.result = BareResult(0.0, 0.0, 0, 0, 0, 0, 0)
        self.unchecked: list[tuple[ExampleFields, Page, str]] = []
        self.flushing: asyncio.Task[None] | None = None

    async def run(self, pages: list[Page]) -> BareResult:
        limits = httpx.Limits(max_connections=self.concurrency)
        async with httpx.AsyncClient(timeout=60, limits=limits) as self.client:
            await self._warm(pages[0])
            self.result = BareResult(0.0, 0.0, 0, 0, 0, 0, 0)
            cpu, start = _own_cpu_s(), time.perf_counter()
            await self._pages(pages)
            self.result.seconds = time.perf_counter() - start
            self.result.cpu_s = _own_cpu_s() - cpu
        return self.result

    async def _warm(self, page: Page) -> None:
        """First use of the parsers, tokenizer, scorers and the connection pool is not work."""
        logic.warm()
        await self._pages([page])

    async def _pages(self, pages: list[Page]) -> None:
        calls, dedup = [], Dedup(self.config.processing.dedup_threshold)
        for page in pages:
            for text in self._chunks(page, dedup):
                calls.append(asyncio.create_task(self._generate(text, page)))
            for _ in range(YIELDS):  # answers that came in meanwhile go on before the next page
                await asyncio.sleep(0)
        await asyncio.gather(*calls)
        while self.flushing is not None:
            await self.flushing

    def _chunks(self, page: Page, dedup: Dedup) -> list[str]:
        kept = []
        for chunk in logic.refine(page.html, None, self.config.processing).chunks:
            if chunk.verdict is not None:
                continue
            if dedup.keep(chunk):
                kept.append(chunk.text)
            else:
                self.result.duplicates += 1
        self.result.chunks += len(kept)
        return kept

    async def _generate(self, text: str, page: Page) -> None:
        gen = self.config.generation
        messages = self.template.render(text, n=gen.examples_per_chunk)
        body = {"model": "gpt-4o-mini", "messages": messages, "temperature": gen.temperature}
        body["response_format"] = {"type": "json_object"}
        async with self.limit:
            response = await self.client.post(f"{self.sim_url}/chat/completions", json=body)
        if response.status_code != 200:
            self.result.failed_calls += 1
            return
        answer = response.json()["choices"][0]["message"]["content"]
        try:
            examples = self.template.parse(answer, chunk_text=text)[: gen.examples_per_chunk]
        except TemplateOutputError:
            self.result.failed_calls += 1
            return
        self.result.examples += len(examples)
        self.unchecked += [(example, page, text) for example in examples]
        if self.flushing is None:
            self.flushing = asyncio.create_task(self._flush())

    async def _flush(self) -> None:
        """Checks the examples that arrived within a short window in one batch."""
        await asyncio.sleep(CHECK_WINDOW_S)
        batch, self.unchecked = self.unchecked, []
        self.flushing = None
        self.result.passed += self.check(batch)


async def bare_work(
    pages: list[Page], sim_url: str, concurrency: int, config: JobConfig, check: Check
) -> BareResult:
    return await Bare(sim_url, concurrency, config, check).run(pages)
