"""The shipper's pure decisions: when a job may be exported again, what its card prices,
when staged rows went missing, and why an export is empty."""

from __future__ import annotations

from collections import Counter

from services.shipper import dedup, logic
from services.shipper.facts import JobFacts
from services.shipper.stats import DatasetStats
from shared.contract.config import JobConfig


def test_a_job_is_exported_again_only_with_nothing_outstanding() -> None:
    assert logic.finished(None) and logic.finished(b"0")
    assert not logic.finished(b"3")


def test_the_card_prices_batch_mode_for_a_batch_job_of_one_model() -> None:
    batch = JobConfig.model_validate({"generation": {"mode": "batch"}})
    one, two = JobFacts(models=Counter({"m": 3})), JobFacts(models=Counter({"m": 1, "n": 1}))
    assert logic.priced_model(batch, one) == "m"
    assert logic.priced_model(batch, two) is None
    assert logic.priced_model(JobConfig(), one) is None


def test_an_export_of_examples_no_longer_staged_is_refused() -> None:
    made = JobFacts(examples=4)
    assert logic.staging_lost(made, staged=False, exported=False) == (
        "staging_removed",
        "the job's 4 examples are no longer staged (datafactory gc?)",
    )
    assert logic.staging_lost(made, staged=True, exported=False) is None
    assert logic.staging_lost(made, staged=False, exported=True) is None
    assert logic.staging_lost(JobFacts(), staged=False, exported=False) is None


def test_an_empty_export_says_which_stage_left_it_empty() -> None:
    unfetched = JobFacts(urls=2)
    assert "fetched" in (logic.why_empty(unfetched, DatasetStats()) or "")
    fetched = JobFacts(urls=2, pages=Counter({"a.test": 2}))
    assert "generated" in (logic.why_empty(fetched, DatasetStats()) or "")
    assert "quality" in (logic.why_empty(fetched, DatasetStats(rejected=3)) or "")
    assert logic.why_empty(fetched, DatasetStats(passed=1)) is None


def test_copies_are_removed_only_when_the_job_checks_for_duplicates() -> None:
    off = JobConfig.model_validate({"quality": {"checks": ["format"]}}).quality
    assert not logic.removes_copies(off) and logic.copies(dedup.Pool(), off) == {}
