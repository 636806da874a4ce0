"""A labelled set for the coherence gate, from real corpus text: good answers (one to three
sentences of a page, with the paragraph as their source) against word salad made of the
source's own words, pages of random words, site boilerplate and templated filler."""

from __future__ import annotations

import functools
import random
import re

import py3langid
import trafilatura

from shared.contract.events import ExampleGenerated
from tests.refiner.pages import CORPUS

LANGUAGES = ("en", "de", "fr", "es")
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_TOPIC = re.compile(r"[^\W\d_]{5,}")
QUESTIONS = {  # the question is checked for its language too
    "en": "What does the text say about {}?",
    "de": "Was steht in dem Text über {}?",
    "fr": "Que dit le texte à propos de {} ?",
    "es": "¿Qué dice el texto sobre {}?",
}


@functools.cache
def paragraphs() -> tuple[tuple[str, str], ...]:
    """(paragraph, language) of every corpus page in one of LANGUAGES, 200+ characters."""
    found = []
    for page in sorted(CORPUS.glob("*.html")):
        text = trafilatura.extract(page.read_text(errors="replace"), fast=True) or ""
        found += [(p, py3langid.classify(p)[0]) for p in text.split("\n") if len(p) >= 200]
    return tuple((p, lang) for p, lang in found if lang in LANGUAGES)


def qa(i: int, answer: str, source: str, language: str) -> ExampleGenerated:
    topic = max(_TOPIC.findall(answer) or ["it"], key=len)
    question = QUESTIONS[language].format(topic)
    return ExampleGenerated(
        event_id=f"ex{i}", job_id="job1", chunk_id=f"chunk{hash(source)}", document_id="doc",
        url="http://127.0.0.1/page", template="qa", input=question, output=answer,
        fields={"question": question, "answer": answer}, model="m", prompt_tokens=10,
        completion_tokens=10, cost_usd=0.0, language=language, source=source,
    )  # fmt: skip


def good() -> list[ExampleGenerated]:
    """Runs of one to three sentences that read as an answer (a capital first, a full stop
    last, six words or more) in their paragraph's language."""
    rng = random.Random(1)
    found: list[ExampleGenerated] = []
    for source, language in paragraphs():
        sentences = _SENTENCE.split(source)
        for i in range(0, len(sentences), 3):
            answer = " ".join(sentences[i : i + rng.choice((1, 2, 3))]).strip()
            if not (40 <= len(answer) <= 600 and len(answer.split()) >= 6):
                continue
            if answer[0].isupper() and answer[-1] in ".!?" and _language(answer) == language:
                found.append(qa(len(found), answer, source, language))
    return found


def word_salad() -> list[ExampleGenerated]:
    """20 of the source's own words in a random order, as they are and as a tidy sentence
    (punctuation dropped, a capital first, a full stop last)."""
    rng = random.Random(2)
    found: list[ExampleGenerated] = []
    for source, language in paragraphs():
        tokens = source.split()
        if len(tokens) < 25:
            continue
        picked = rng.sample(tokens, 20)
        tidy = " ".join(w for w in (re.sub(r"[^\w-]", "", t) for t in picked) if w)
        for answer in (" ".join(picked), tidy[:1].upper() + tidy[1:] + "."):
            found.append(qa(len(found), answer, source, language))
    return found


def random_pages() -> list[ExampleGenerated]:
    """A page of words drawn at random from the corpus's vocabulary of its language, and an
    answer that is a run of it, as a model answers from such a chunk."""
    rng = random.Random(3)
    found: list[ExampleGenerated] = []
    vocabulary: dict[str, set[str]] = {}
    for text, language in paragraphs():
        vocabulary.setdefault(language, set()).update(w for w in text.split() if w.isalpha())
    for language, known in sorted(vocabulary.items()):
        words = sorted(known)
        for _ in range(50):
            page = [rng.choice(words) for _ in range(300)]
            start, size = rng.randrange(250), rng.choice((12, 20, 40))
            answer = " ".join(page[start : start + size])
            found.append(qa(len(found), answer, " ".join(page), language))
    return found


BOILERPLATE = [
    "Accept all cookies. Privacy policy. Terms of use. Subscribe to our newsletter.",
    "Home\nAbout us\nContact\nPrivacy policy\nTerms of service\nSign in",
    "Skip to main content. Log in. Sign up. Follow us on Twitter. Share this.",
    "All rights reserved. Privacy policy. Cookie settings.",
    "Impressum. Datenschutz. Newsletter abonnieren. Alle Rechte vorbehalten.",
    "Zum Inhalt springen. Anmelden. Registrieren. Folge uns.",
    "Share on Facebook. Share on Twitter. Subscribe. Log in to comment.",
    "Tous droits réservés. Newsletter. Cookies.",
]
FILLER = [
    "This is an example answer. This is an example answer.",
    "This is an example answer.",
    "Here is a sample response about the topic in the text.",
    "The answer is in the text. The answer is in the text. The answer is in the text.",
    "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor.",
    "As an AI language model, I cannot answer questions about this text.",
    "Answer goes here.",
    "The bridge is a bridge. The bridge is a bridge. The bridge is a bridge.",
    "Yes yes yes yes yes yes yes yes yes yes yes yes yes yes yes yes.",
    "It was designed by John Fowler and Benjamin Baker. It was designed by John Fowler "
    "and Benjamin Baker. It was designed by John Fowler and Benjamin Baker.",
    "Der Dom ist ein Dom. Der Dom ist ein Dom. Der Dom ist ein Dom.",
    "Insert answer here: the text describes the topic in detail.",
    "The bridge " * 30,
    "John Fowler, John Fowler, John Fowler, John Fowler, John Fowler, John Fowler.",
]


def _language(text: str) -> str:
    return str(py3langid.classify(text)[0])
