"""The inspector's event: an example with its scores, verdict, reasons and fingerprints."""

from __future__ import annotations

from services.inspector import logic
from services.inspector.checks.duplicates import Described
from shared.contract import streams
from shared.contract.events import ExampleGenerated, ExampleScored, caused
from shared.runtime.commit import Emit


def scored(
    example: ExampleGenerated,
    verdict: logic.Verdict,
    cost_usd: float = 0.0,
    described: Described | None = None,
) -> Emit:
    described = described or Described()
    backends = verdict.backends | ({"duplicates": described.backend} if described.backend else {})
    event = caused(
        example,
        ExampleScored,
        "scored",
        # The source chunk is in the log already, on the chunk's own event.
        example=example.model_copy(update={"source": None}),
        scores=verdict.scores,
        score=verdict.score,
        passed=verdict.passed,
        reasons=verdict.reasons,
        warnings=verdict.warnings,
        backends=backends,
        cost_usd=cost_usd,
        fingerprints=described.fingerprints,
        vector=described.vector,
    )
    return Emit(streams.SHIPPER, event)
