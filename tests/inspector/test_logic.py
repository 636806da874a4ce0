"""Quality checks and the threshold, with textstat's real Flesch score offline."""

from __future__ import annotations

import pytest
import textstat

from services.inspector import logic
from services.inspector.logic import Scorers, Verdict
from shared.cmudict_offline import ensure_cmudict
from shared.config import QualityConfig
from shared.events import ExampleGenerated


@pytest.fixture(scope="module", autouse=True)
def _cmudict(tmp_path_factory: pytest.TempPathFactory) -> None:
    ensure_cmudict(tmp_path_factory.mktemp("cache"))


def flesch(text: str) -> float:
    return float(textstat.flesch_reading_ease(text))


def toxic(texts: list[str]) -> list[float]:
    from profanity_check import predict_prob

    return [float(p) for p in predict_prob(texts)]


SCORERS = Scorers(flesch=flesch, toxic=toxic)


Judged = tuple[ExampleGenerated, QualityConfig]


def inspect(item: Judged, scorers: Scorers) -> Verdict:
    [verdict] = logic.inspect([item], scorers)
    return verdict


def example(output: str, inp: str = "What is a chisel?", **quality: object) -> Judged:
    return _example(output, inp), QualityConfig(**quality)  # type: ignore[arg-type]


def _example(output: str, inp: str) -> ExampleGenerated:
    return ExampleGenerated(
        event_id="ex1",
        job_id="j",
        chunk_id="c",
        document_id="d",
        url="http://x",
        template="qa",
        input=inp,
        output=output,
        model="m",
        prompt_tokens=1,
        completion_tokens=1,
        cost_usd=0.0,
    )


def test_plain_answers_pass() -> None:
    verdict = inspect(
        example("A chisel is a tool with a sharp edge. You use it to cut wood."), SCORERS
    )
    assert verdict.passed
    assert verdict.scores["format"] == 1.0 and verdict.scores["readability"] == 1.0
    assert verdict.scores["toxicity"] > 0.8


def test_empty_or_echoed_output_fails_whatever_the_threshold() -> None:
    for bad in (example("   "), example("What is a chisel?")):
        verdict = inspect(bad, SCORERS)
        assert not verdict.passed and verdict.scores["format"] == 0.0
    assert not inspect(example("", min_score=0.0), SCORERS).passed


def test_hard_prose_falls_below_the_threshold_and_says_why() -> None:
    dense = (
        "Notwithstanding institutional heterogeneity, epistemological considerations "
        "necessitate comprehensive methodological reconceptualization of organizational "
        "interdependencies."
    )
    verdict = inspect(example(dense), SCORERS)
    assert not verdict.passed
    assert any(r.startswith("hard_to_read") for r in verdict.reasons)
    assert inspect(example(dense, min_score=0.4), SCORERS).passed


def test_a_toxic_answer_fails_whatever_its_other_scores() -> None:
    verdict = inspect(example("Shut up, you stupid idiot. Nobody cares about chisels."), SCORERS)
    assert not verdict.passed
    assert any(r.startswith("toxic") for r in verdict.reasons)
    lenient = example("Shut up, you stupid idiot.", min_score=0.0)
    assert not inspect(lenient, SCORERS).passed


def test_only_configured_checks_count() -> None:
    verdict = inspect(example("Fine answer here.", checks=("format",)), SCORERS)
    assert set(verdict.scores) == {"format"}


def test_a_label_is_a_complete_classification_output() -> None:
    text = "A chisel is a tool with a sharp edge. You use it to cut wood by hand."
    plain, quality = example("technology", inp=text)
    labelled = plain.model_copy(update={"template": "classification"})
    verdict = inspect((labelled, quality), SCORERS)
    assert verdict.passed, verdict.reasons
    assert inspect(example("technology", inp=text), SCORERS).scores["format"] == 0.5


def test_a_batch_is_judged_item_by_item_with_one_toxicity_call() -> None:
    calls: list[int] = []

    def counting(texts: list[str]) -> list[float]:
        calls.append(len(texts))
        return toxic(texts)

    batch = [
        example("A chisel is a tool with a sharp edge. You use it to cut wood."),
        example("Shut up, you stupid idiot. Nobody cares about chisels."),
        example("Fine answer here.", checks=("format",)),
        example("   "),
    ]
    verdicts = logic.inspect(batch, Scorers(flesch=flesch, toxic=counting))
    assert calls == [6], "one call for both sides of the three examples that ask for it"
    assert [v.passed for v in verdicts] == [True, False, True, False]
    assert verdicts == [inspect(item, SCORERS) for item in batch]
