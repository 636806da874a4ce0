"""Per-stage progress and the current stage of a job, from counted outcomes."""

from __future__ import annotations

from collections import Counter

from services.gateway.queries.progress import JobCounts, current_stage, stages_of


def counts(**outcomes: int) -> JobCounts:
    tally: Counter[tuple[str, str]] = Counter()
    for key, n in outcomes.items():
        stage, kind = key.split("_")
        tally[stage, kind] = n
    return JobCounts(url_count=3, outcomes=tally, chunks=4, dropped=1, examples=6, passed=2)


def test_each_stage_totals_what_the_stage_before_produced() -> None:
    stages = stages_of(counts(spider_ok=2, spider_failed=1, refiner_ok=2, factory_ok=3))
    assert (stages.spider.total, stages.spider.settled) == (3, 3)
    assert (stages.refiner.total, stages.refiner.chunks, stages.refiner.dropped) == (2, 4, 1)
    assert (stages.factory.total, stages.factory.settled) == (4, 3)
    assert (stages.inspector.total, stages.inspector.settled) == (6, 2)


def test_the_current_stage_is_the_earliest_with_unsettled_items() -> None:
    assert current_stage(stages_of(counts(spider_ok=1)), False, False) == "spider"
    refining = stages_of(counts(spider_ok=2, spider_skipped=1, refiner_ok=1))
    assert current_stage(refining, False, False) == "refiner"
    generating = stages_of(counts(spider_ok=2, spider_failed=1, refiner_ok=2, factory_ok=3))
    assert current_stage(generating, False, False) == "factory"


def test_a_finished_job_waits_for_its_export_then_is_done() -> None:
    stages = stages_of(counts())
    assert current_stage(stages, True, False) == "shipper"
    assert current_stage(stages, True, True) == "done"
