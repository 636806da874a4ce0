"""Stream names: one work stream per stage, one log of other facts, and dead letters."""

from __future__ import annotations

SPIDER = "df:spider"
REFINER = "df:refiner"
FACTORY = "df:factory"
INSPECTOR = "df:inspector"
SHIPPER = "df:shipper"
EVENTS = "df:events"

WORK_STREAMS = (SPIDER, REFINER, FACTORY, INSPECTOR, SHIPPER)
ALL_STREAMS = (EVENTS, *WORK_STREAMS)

STAGE_STREAM = {
    "spider": SPIDER,
    "refiner": REFINER,
    "factory": FACTORY,
    "inspector": INSPECTOR,
    "shipper": SHIPPER,
}

CANCELLED_JOBS = "df:cancelled"


def dead_letter(stream: str) -> str:
    return f"{stream}.dead"


def tally_key(job_id: str) -> str:
    """Hash whose `outstanding` field counts work items of a job not yet given an outcome."""
    return f"df:tally:{job_id}"


def factory_totals_key(job_id: str) -> str:
    """Hash of a job's live LLM counters (calls, retries, cache hits, spend) for the gateway."""
    return f"df:factory:{job_id}"
