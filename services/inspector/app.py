"""Consumes ExampleGenerated from `df:inspector` in batches; emits ExampleScored to `df:shipper`."""

from __future__ import annotations

from typing import Any

import textstat
from faststream import FastStream
from redis.asyncio import Redis

from services.inspector import logic
from shared import streams
from shared.cmudict_offline import ensure_cmudict
from shared.commit import Emit
from shared.events import ExampleGenerated, ExampleScored, caused
from shared.runtime import build_app
from shared.settings import Settings
from shared.stage import Outcome, StageSpec, Work


def _flesch(text: str) -> float:
    return float(textstat.flesch_reading_ease(text))


def _toxic(texts: list[str]) -> list[float]:
    # alt-profanity-check ships its trained model in the wheel: works offline.
    from profanity_check import predict_prob

    return [float(p) for p in predict_prob(texts)]


SCORERS = logic.Scorers(flesch=_flesch, toxic=_toxic)


def scored(example: ExampleGenerated, verdict: logic.Verdict) -> Emit:
    fields: dict[str, Any] = {"scores": verdict.scores, "score": verdict.score}
    fields |= {"passed": verdict.passed, "reasons": verdict.reasons}
    return Emit(
        streams.SHIPPER, caused(example, ExampleScored, "scored", example=example, **fields)
    )


async def score(works: list[Work[ExampleGenerated]]) -> list[Outcome]:
    verdicts = logic.inspect([(w.event, w.config.quality) for w in works], SCORERS)
    return [[scored(w.event, v)] for w, v in zip(works, verdicts, strict=True)]


def create_app(settings: Settings | None = None) -> FastStream:
    settings = settings or Settings()
    ensure_cmudict(settings.data_dir / "cache")
    spec = StageSpec("inspector", batch_handlers={ExampleGenerated: score}, max_records=100)
    return build_app(spec, settings, Redis.from_url(settings.redis_dsn))
