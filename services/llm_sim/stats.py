"""Request counters of one simulator: in flight now, the peak, the total, each outcome, and the
`max_tokens` the requests asked for and the clients that sent them (so tests can see what
clients send)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from services.llm_sim.faults import Outcome


@dataclass
class Stats:
    in_flight: int = 0
    max_in_flight: int = 0
    total: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    max_tokens: Counter[str] = field(default_factory=Counter)  # "none" when not sent
    clients: Counter[str] = field(default_factory=Counter)  # User-Agent of each request

    @contextmanager
    def track(self) -> Iterator[Callable[[Outcome], Outcome]]:
        """Counts a request in flight for the block; the block records its outcome."""
        self.in_flight += 1
        self.total += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)

        def record(outcome: Outcome) -> Outcome:
            self.outcomes[outcome] += 1
            return outcome

        try:
            yield record
        finally:
            self.in_flight -= 1

    def snapshot(self) -> dict[str, Any]:
        return {
            "in_flight": self.in_flight,
            "max_in_flight": self.max_in_flight,
            "total": self.total,
            "outcomes": dict(self.outcomes),
            "max_tokens": dict(self.max_tokens),
            "clients": dict(self.clients),
        }
