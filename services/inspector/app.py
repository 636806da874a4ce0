"""Consumes ExampleGenerated from `df:inspector`; emits ExampleScored to `df:shipper`."""

from __future__ import annotations

import textstat
from faststream import FastStream

from services.inspector import logic
from shared import streams
from shared.cmudict_offline import ensure_cmudict
from shared.commit import Emit
from shared.events import ExampleGenerated, ExampleScored
from shared.ids import derive
from shared.runtime import StageContext, StageSpec, build_app
from shared.settings import Settings


def _flesch(text: str) -> float:
    return float(textstat.flesch_reading_ease(text))


def _toxic(texts: list[str]) -> list[float]:
    # alt-profanity-check ships its trained model in the wheel: works offline.
    from profanity_check import predict_prob

    return [float(p) for p in predict_prob(texts)]


SCORERS = logic.Scorers(flesch=_flesch, toxic=_toxic)


async def score(example: ExampleGenerated, ctx: StageContext) -> list[Emit]:
    verdict = logic.inspect(example, SCORERS)
    scored = ExampleScored(
        event_id=derive(example.event_id, "scored"),
        job_id=example.job_id,
        caused_by=example.event_id,
        example=example,
        scores=verdict.scores,
        score=verdict.score,
        passed=verdict.passed,
        reasons=verdict.reasons,
    )
    return [Emit(streams.SHIPPER, scored)]


def create_app(settings: Settings | None = None) -> FastStream:
    settings = settings or Settings()
    ensure_cmudict(settings.data_dir / "cache")
    return build_app(StageSpec("inspector", {ExampleGenerated: score}), settings)
