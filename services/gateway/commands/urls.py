"""Sorts submitted URLs into usable ones (normalised, once each) and rejected ones with reasons."""

from __future__ import annotations

from dataclasses import dataclass

from shared.urls import normalise


@dataclass(frozen=True)
class Rejected:
    url: str
    reason: str


def partition(raws: list[str]) -> tuple[list[str], list[Rejected]]:
    """Valid URLs in submission order without duplicates, and the rejected ones with reasons."""
    valid: dict[str, None] = {}  # an ordered set
    rejected: list[Rejected] = []
    for raw in raws:
        try:
            url = normalise(raw)
        except ValueError as exc:
            rejected.append(Rejected(raw, str(exc)))
            continue
        valid.setdefault(url)
    return list(valid), rejected
