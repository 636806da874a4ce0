"""Stream names: one work stream per stage, one log of other facts, and dead letters."""

from __future__ import annotations

# The pipeline's stages in flow order; every list of stages derives from this one.
STAGES = ("spider", "refiner", "factory", "inspector", "shipper")

SPIDER = "df:spider"
REFINER = "df:refiner"
FACTORY = "df:factory"
INSPECTOR = "df:inspector"
SHIPPER = "df:shipper"
EVENTS = "df:events"

WORK_STREAMS = (SPIDER, REFINER, FACTORY, INSPECTOR, SHIPPER)
ALL_STREAMS = (EVENTS, *WORK_STREAMS)

STAGE_STREAM = dict(zip(STAGES, WORK_STREAMS, strict=True))

CANCELLED_JOBS = "df:cancelled"


def dead_letter(stream: str) -> str:
    return f"{stream}.dead"


def tally_key(job_id: str) -> str:
    """Hash whose `outstanding` field counts work items of a job not yet given an outcome."""
    return f"df:tally:{job_id}"


def job_config_key(job_id: str) -> str:
    """The job's effective config (JSON), written once when the job is submitted."""
    return f"df:job:{job_id}:config"


def factory_totals_key(job_id: str) -> str:
    """Hash of a job's live LLM counters (calls, retries, cache hits, spend) for the gateway."""
    return f"df:factory:{job_id}"


def entry_key(entry_id: str) -> tuple[int, int]:
    """A stream entry id ("<ms>-<seq>") as numbers, so that ids compare in log order."""
    ms, _, seq = entry_id.partition("-")
    return int(ms), int(seq or 0)
