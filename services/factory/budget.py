"""A job's spending cap (shared.runtime.budget) as the factory meets it: the reservation runs
inside the ledger's round trip before a call (services.factory.ledger)."""

from __future__ import annotations

from services.factory.values import LLMFailure


def exhausted(cap: float) -> LLMFailure:
    detail = f"the job's spending cap of ${cap:.4g} is spent"
    return LLMFailure("budget_exhausted", detail, outcome="skipped", sent=False)
