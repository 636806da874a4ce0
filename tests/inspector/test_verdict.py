"""The verdict: weighted score, hard gates, configured checks, and bad input scored, not raised."""

from __future__ import annotations

import pytest

from services.inspector import logic
from services.inspector.checks.base import Finding, Item
from shared.contract.config import QualityConfig
from tests.inspector.labelled import DE, EN, example

GOOD = example("Who designed the Forth Bridge?", "John Fowler and Benjamin Baker designed it.")


def verdict(ex: object, models: logic.Models, **quality: object) -> logic.Verdict:
    config = QualityConfig(**quality)
    [found] = logic.assess([Item(ex, config)], models)  # type: ignore[arg-type]
    return logic.verdict(found, config)


def test_a_grounded_full_answer_passes_every_default_check(
    inspector_models: logic.Models,
) -> None:
    v = verdict(GOOD, inspector_models)
    assert v.passed and v.reasons == []
    assert set(v.scores) == {
        "format", "readability", "language", "groundedness", "toxicity", "coherence"
    }  # fmt: skip
    assert v.backends["toxicity"] == "profanity-check"
    assert v.backends["groundedness"] == "token-overlap"


def test_a_gated_failure_rejects_whatever_the_score() -> None:
    found = {"format": Finding(1.0), "toxicity": Finding(0.45, "toxic(p=0.55)", failed=True)}
    assert logic.verdict(found, QualityConfig(min_score=0.0)).reasons == ["toxic(p=0.55)"]
    assert not logic.verdict(found, QualityConfig(min_score=0.0)).passed
    assert logic.verdict(found, QualityConfig(min_score=0.0, gates=())).passed


def test_weights_shape_the_score() -> None:
    found = {"format": Finding(1.0), "readability": Finding(0.2, "hard_to_read")}
    low = logic.verdict(found, QualityConfig())
    assert (low.score, low.passed, low.reasons) == (0.6, False, ["score 0.60 < 0.70"])
    assert low.warnings == ["hard_to_read"]
    weighted = logic.verdict(found, QualityConfig(weights={"readability": 0.25}))
    assert weighted.score == 0.84 and weighted.passed


def test_a_passed_example_has_warnings_and_no_reasons() -> None:
    found = {"format": Finding(0.5, "not_a_question"), "toxicity": Finding(1.0)}
    v = logic.verdict(found, QualityConfig())
    assert v.passed and v.reasons == [] and v.warnings == ["not_a_question"]


def test_a_rejected_example_names_its_gates_then_its_score_and_warns_of_the_rest() -> None:
    found = {
        "format": Finding(0.5, "not_a_question"),
        "coherence": Finding(0.0, "filler", failed=True),
        "readability": Finding(0.3, "hard_to_read(flesch=20)"),
    }
    v = logic.verdict(found, QualityConfig())
    assert not v.passed
    assert v.reasons == ["filler", "score 0.26 < 0.70"]
    assert v.warnings == ["not_a_question", "hard_to_read(flesch=20)"]


def test_only_the_configured_checks_run(inspector_models: logic.Models) -> None:
    v = verdict(GOOD, inspector_models, checks=("format", "toxicity"))
    assert set(v.scores) == {"format", "toxicity"}


def test_the_degenerate_answer_of_the_report_is_rejected_first_for_its_form(
    inspector_models: logic.Models,
) -> None:
    v = verdict(example("What is stated about the subject in the text?", "2."), inspector_models)
    assert not v.passed
    assert v.reasons[0] == "output_length 2 not in [15, 4000]"


def test_bad_input_is_scored_and_rejected_with_a_reason(inspector_models: logic.Models) -> None:
    missing = GOOD.model_copy(update={"fields": {"question": GOOD.input}})
    empty = example("Who designed the Forth Bridge?", "")
    script = example("Who designed the Forth Bridge?", "橋は二人の技師によって設計されました。")
    for bad, why in ((missing, "schema: answer"), (empty, "empty_output"), (script, "language")):
        v = verdict(bad, inspector_models)
        assert not v.passed and v.reasons[0].startswith(why), v.reasons


def test_an_answer_in_the_jobs_output_language_passes(inspector_models: logic.Models) -> None:
    german = example("Wie hoch sind die Türme?", "Die beiden Türme sind 157 Meter hoch.", DE)
    assert verdict(german, inspector_models).passed
    assert not verdict(german, inspector_models, output_language="en").passed
    english = example("How high are the towers?", "The two towers are 157 metres high.", DE)
    v = verdict(english, inspector_models, output_language="en")
    assert v.passed and v.backends["groundedness"] == "skipped:cross_lingual"


def test_readability_leaves_short_answers_and_unknown_languages_alone(
    inspector_models: logic.Models,
) -> None:
    short = verdict(example("When did it open?", "On 4 March 1890."), inspector_models)
    assert short.backends["readability"] == "skipped:short"
    german = example(
        "Wie hoch?", "Die beiden Türme des Doms sind 157 Meter hoch, wie man sieht.", DE
    )
    assert verdict(german, inspector_models).backends["readability"] == "textstat:de"
    dense = example(
        "What does the text say about it?",
        "Notwithstanding institutional heterogeneity, epistemological considerations "
        "necessitate comprehensive methodological reconceptualization of organizational "
        "interdependencies.",
    )
    hard = verdict(dense, inspector_models, checks=("readability",))
    assert not hard.passed and hard.reasons[0].startswith("unreadable(flesch=-"), hard
    assert EN  # the English source is the default


def test_the_questions_language_is_checked_and_every_turns(
    inspector_models: logic.Models,
) -> None:
    english_question = example("How high are the two towers of the cathedral?", "Die beiden "
                               "Türme des Doms sind 157 Meter hoch.", DE)  # fmt: skip
    v = verdict(english_question, inspector_models)
    assert not v.passed and v.reasons[0] == "language: input is en, expected de", v.reasons
    turns = [
        {"role": "user", "content": "Wie hoch sind die beiden Türme des Kölner Doms?"},
        {"role": "assistant", "content": "Die beiden Türme des Doms sind 157 Meter hoch."},
        {"role": "user", "content": "And when was the construction of the cathedral finished?"},
        {"role": "assistant", "content": "Der Dom wurde erst im Jahr 1880 vollendet."},
    ]
    talk = example(turns[2]["content"], turns[3]["content"], DE, template="conversation")
    talk = talk.model_copy(update={"fields": {"turns": turns}})
    v = verdict(talk, inspector_models, checks=("language",))
    assert not v.passed and v.reasons[0] == "language: input is en, expected de"
    talk = talk.model_copy(update={"input": turns[0]["content"]})
    v = verdict(talk, inspector_models, checks=("language",))
    assert v.reasons[0] == "language: turn 3 is en, expected de"


@pytest.mark.parametrize(
    ("update", "why"),
    [
        ({"fields": {}}, "schema"),
        ({"input": "", "output": ""}, "empty_input"),
        ({"output": "   \n\t "}, "empty_output"),
        ({"output": "🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂"}, "placeholder_output"),
        ({"output": "Мост спроектировали Джон Фаулер и Бенджамин Бейкер."}, "language"),
        ({"output": "صمم الجسر المهندسان جون فاولر وبنجامين بيكر في اسكتلندا."}, "language"),
        ({"template": "conversation", "fields": {"turns": "not a list"}}, "schema"),
        ({"template": "conversation", "fields": {"turns": [1, None, "x"]}}, "schema"),
        ({"template": "conversation", "fields": {"turns": [{"role": "user"}]}}, "schema"),
        ({"template": "no-such-template", "fields": {}, "output": "\x00\x01"}, "placeholder"),
    ],
)
def test_malformed_examples_are_rejected_with_a_reason_never_raised(
    update: dict[str, object], why: str, inspector_models: logic.Models
) -> None:
    bad = GOOD.model_copy(update=update)
    v = verdict(bad, inspector_models)
    assert not v.passed and v.reasons[0].startswith(why), v.reasons
