"""The coherence gate on the labelled set from the corpus (run with -s to see the rates), and
each of its rules named on a small case."""

from __future__ import annotations

import pytest

from services.inspector import logic
from services.inspector.checks.base import Item
from shared.contract import coherence
from shared.contract.config import QualityConfig
from shared.contract.events import ExampleGenerated
from tests.inspector import coherence_set
from tests.inspector.labelled import DE, EN, example


def rejected(examples: list[ExampleGenerated], models: logic.Models) -> list[bool]:
    config = QualityConfig()
    found = logic.assess([Item(ex, config) for ex in examples], models)
    return [not logic.verdict(f, config).passed for f in found]


def rate(name: str, flags: list[bool]) -> float:
    share = sum(flags) / len(flags)
    print(f"\n{name}: {share:.3f} of {len(flags)}")
    return share


def test_good_answers_from_the_corpus_are_kept(inspector_models: logic.Models) -> None:
    good = coherence_set.good()
    assert len(good) > 1000
    assert rate("good kept", [not r for r in rejected(good, inspector_models)]) >= 0.95


def test_word_salad_of_the_sources_own_words_is_rejected(inspector_models: logic.Models) -> None:
    salad = coherence_set.word_salad()
    assert len(salad) > 1000
    assert rate("word salad rejected", rejected(salad, inspector_models)) >= 0.95


def test_the_junk_set_is_rejected(inspector_models: logic.Models) -> None:
    junk = coherence_set.word_salad() + coherence_set.random_pages()
    junk += [example("What does the page say?", text) for text in coherence_set.BOILERPLATE]
    junk += [example("Who designed the bridge?", text) for text in coherence_set.FILLER]
    assert rate("junk rejected", rejected(junk, inspector_models)) >= 0.95
    canned = [example("Who designed the bridge?", text) for text in coherence_set.FILLER]
    assert all(rejected(canned, inspector_models))


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("This is an example answer. This is an example answer.", "filler"),
        ("Accept all cookies.\nPrivacy policy.\nTerms of use.\nA line.", "boilerplate"),
        ("The bridge is red. It spans the firth. The bridge is red.", "duplicate_sentences"),
        ("It was designed by John Fowler and Benjamin Baker, " * 3, "duplicate_5_grams"),
        (
            "Bridge railway cantilever Scotland engineers workers colour heritage site red steel granite",
            "few",
        ),
        ("It is a an so to be on at by up we go me he us do no", "mean_word_length"),
        ("It spans #metres #bridge #red #forth #scotland #railway of the", "symbols_per_word"),
        ("• The bridge\n• is red\n• and long\n• in Scotland", "bullet_lines"),
        (
            "The bridge across the firth was built by many workers over the years...\n"
            "It was opened in the spring by a prince who came from the south...\n"
            "Its colour is a red that the painters keep fresh on every part of it...\n"
            "It became a site of world heritage some years ago and is famous.",
            "ellipsis_lines",
        ),
        ("It is 24670 18901 46001 57123 20152 10001 31234 41234 51234 metres long.", "alpha"),
    ],
)
def test_each_rule_names_itself(text: str, rule: str) -> None:
    found = coherence.incoherent(text, "en")
    assert found is not None and found.startswith(rule), found


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("On 4 March 1890.", "en"),
        ("Mostly reinforced concrete poured by Italian masons.", "en"),
        ("John Fowler and Benjamin Baker designed the bridge, which opened in 1890.", "en"),
        ("Die beiden Türme des Doms sind 157 Meter hoch.", "de"),
        ("Le pont a été conçu par deux ingénieurs écossais et ouvert en 1890.", "fr"),
        ("El puente fue diseñado por dos ingenieros y se abrió en el año 1890.", "es"),
        ("橋は二人の技師によって設計され、一八九〇年に開通しました。", "ja"),
        ("- first step\n- second step\n- third step", "en"),
        (EN, "en"),
        (DE, "de"),
    ],
)
def test_short_factual_answers_and_unspaced_scripts_pass(text: str, language: str) -> None:
    assert coherence.incoherent(text, language) is None


def test_word_salad_of_the_sources_words_is_named_by_its_order(
    inspector_models: logic.Models,
) -> None:
    words = "Forth the Fowler bridge designed Baker and railway was it of Firth across cantilever"
    salad = example("Who designed it?", words)
    [found] = logic.assess([Item(salad, QualityConfig())], inspector_models)
    assert found["coherence"].reason is not None
    assert found["coherence"].reason.startswith("word_salad(ordered=")
    paraphrase = example("How many died?", "Of about 4,600 workers, 57 died building it.")
    [kept] = logic.assess([Item(paraphrase, QualityConfig())], inspector_models)
    assert not kept["coherence"].failed
