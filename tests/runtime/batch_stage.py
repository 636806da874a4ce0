"""A batch stage for tests: forwards examples to `test:done`, slowly, so it can be killed
mid-batch. Run as `python -m tests.runtime.batch_stage REDIS_URL CONSUMER CLAIM_IDLE_MS`."""

from __future__ import annotations

import asyncio
import sys
from typing import Any

from faststream import FastStream
from redis.asyncio import Redis

from shared.contract.events import ExampleGenerated
from shared.contract.ids import derive
from shared.runtime.commit import Emit
from shared.runtime.runtime import build_app
from shared.runtime.stage import Outcome, StageSpec, Work
from shared.settings import Settings

WORK, DONE = "test:work", "test:done"


async def forward(works: list[Work[Any]]) -> list[Outcome]:
    await asyncio.sleep(0.05)  # the work of a batch: a kill lands inside it
    if any(w.event.output == "explode" for w in works):
        raise RuntimeError("a whole batch fails on one bad example")
    outcomes: list[Outcome] = []
    for work in works:
        ex: ExampleGenerated = work.event
        if ex.output == "poison":
            outcomes.append(ValueError("poison example"))
        else:
            done = ex.model_copy(update={"event_id": derive(ex.event_id, "done")})
            outcomes.append([Emit(DONE, done)])
    return outcomes


def batch_app(settings: Settings, consumer: str | None = None) -> FastStream:
    spec = StageSpec("worker", batch_handlers={ExampleGenerated: forward}, input_stream=WORK)
    return build_app(spec, settings, Redis.from_url(settings.redis_dsn), consumer)


if __name__ == "__main__":
    url, name, idle = sys.argv[1:4]
    settings = Settings(redis_url=url, claim_idle_ms=int(idle), polling_interval_ms=20)
    asyncio.run(batch_app(settings, name).run())
