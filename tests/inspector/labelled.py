"""A labelled set written for the inspector's tests: per check, examples that must be flagged
(True) and examples that must not (False), in English and German."""

from __future__ import annotations

from typing import Any

from shared.contract.events import ExampleGenerated

EN = (
    "The Forth Bridge is a cantilever railway bridge across the Firth of Forth in Scotland. "
    "It was opened on 4 March 1890 and spans 2,467 metres. It was designed by the engineers "
    "John Fowler and Benjamin Baker. About 4,600 workers built it, and 57 of them died. "
    "The bridge is painted a colour called Forth Bridge Red and became a World Heritage Site "
    "in 2015."
)
DE = (
    "Der Kölner Dom ist eine römisch-katholische Kirche in Köln. Sein Bau begann im Jahr 1248 "
    "und wurde erst 1880 vollendet. Die beiden Türme sind 157 Meter hoch. Der Dom ist seit "
    "1996 Weltkulturerbe und wird jedes Jahr von etwa sechs Millionen Menschen besucht."
)


def example(
    question: str,
    answer: str,
    source: str = EN,
    index: int = 0,
    language: str | None = None,
    template: str = "qa",
    **fields: Any,
) -> ExampleGenerated:
    return ExampleGenerated(
        event_id=f"ex{index}",
        job_id="job1",
        chunk_id="chunk-de" if source == DE else "chunk-en",
        document_id="doc",
        url="http://127.0.0.1/page",
        template=template,
        input=question,
        output=answer,
        fields=fields or {"question": question, "answer": answer},
        model="m",
        prompt_tokens=10,
        completion_tokens=10,
        cost_usd=0.0,
        language=language or ("de" if source == DE else "en"),
        source=source,
    )


Case = tuple[ExampleGenerated, bool]

TOXICITY: list[tuple[str, str, str, bool]] = [
    ("Who designed the bridge?", "John Fowler and Benjamin Baker designed the bridge.", EN, False),
    ("When did it open?", "The bridge opened on 4 March 1890.", EN, False),
    ("How long is it?", "The bridge spans 2,467 metres across the Firth of Forth.", EN, False),
    ("What colour is it?", "It is painted a colour called Forth Bridge Red.", EN, False),
    ("Wann begann der Bau?", "Der Bau des Kölner Doms begann im Jahr 1248.", DE, False),
    ("Wie hoch sind die Türme?", "Die beiden Türme des Doms sind 157 Meter hoch.", DE, False),
    ("Who built it?", "Shut up, you stupid idiot. Nobody cares who built it.", EN, True),
    ("How long is it?", "Long enough to throw morons like you off it, dumbass.", EN, True),
    ("Why paint it red?", "Because the damn fools who run it are a bunch of assholes.", EN, True),
    ("What happened to workers?", "57 of those worthless bastards died, good riddance.", EN, True),
    ("Wie hoch sind die Türme?", "Halt die Fresse, du dummes Arschloch.", DE, True),
    ("Wer besucht den Dom?", "Nur Idioten und Vollidioten, diese dummen Wichser.", DE, True),
]


GROUNDEDNESS: list[tuple[str, str, str, bool]] = [
    ("Who designed the bridge?", "It was designed by John Fowler and Benjamin Baker.", EN, False),
    ("When did it open?", "The Forth Bridge opened on 4 March 1890.", EN, False),
    ("How many workers died?", "Of about 4,600 workers who built it, 57 died.", EN, False),
    ("What is the bridge?", "A cantilever railway bridge across the Firth of Forth.", EN, False),
    ("When did it become heritage?", "It became a World Heritage Site in 2015.", EN, False),
    ("Wann wurde der Dom vollendet?", "Der Dom wurde erst 1880 vollendet.", DE, False),
    ("Wie hoch sind die Türme?", "Die beiden Türme sind 157 Meter hoch.", DE, False),
    ("Who designed the bridge?", "Gustave Eiffel designed it after his tower in Paris.", EN, True),
    ("When did it open?", "It opened in 1902 after a long delay.", EN, True),
    ("What is it made of?", "Mostly reinforced concrete poured by Italian masons.", EN, True),
    ("Why was it built?", "Queen Victoria wanted a faster route to her summer palace.", EN, True),
    ("Wer baute den Dom?", "Napoleon ließ ihn als Festung für seine Armee errichten.", DE, True),
    ("Wie hoch sind die Türme?", "Die Türme sind 212 Meter hoch und aus Glas.", DE, True),
]

DEGENERATE: list[tuple[str, str, bool]] = [
    ("What is stated about the subject in the text?", "2.", True),
    ("Who designed the bridge?", "Dr.", True),
    ("Which country?", "No.", True),
    ("What is the bridge?", "Bridge", True),
    ("Who designed the bridge?", "N/A", True),
    ("Who designed the bridge?", "Who designed the bridge?", True),
    ("Who designed the bridge?", "   ", True),
    ("Who designed the bridge?", "{{answer}} goes here", True),
    ("Who designed the bridge?", "John Fowler and Benjamin Baker designed it.", False),
    ("When did it open?", "The bridge opened on 4 March 1890.", False),
    ("How long is it?", "It spans 2,467 metres.", False),
    ("Wann begann der Bau?", "Der Bau begann im Jahr 1248.", False),
]

LANGUAGE: list[tuple[str, str, str, bool]] = [
    (
        "Who designed the bridge?",
        "Die Brücke wurde von John Fowler und Benjamin Baker entworfen.",
        EN,
        True,
    ),
    ("When did it open?", "Le pont a été ouvert le 4 mars 1890 en Écosse.", EN, True),
    ("How many workers died?", "Murieron 57 de los aproximadamente 4.600 trabajadores.", EN, True),
    ("Wie hoch sind die Türme?", "The two towers of the cathedral are 157 metres high.", DE, True),
    ("Wann wurde der Dom vollendet?", "Собор был завершён только в 1880 году.", DE, True),  # noqa: RUF001
    ("Who designed the bridge?", "John Fowler and Benjamin Baker designed the bridge.", EN, False),
    ("When did it open?", "The bridge opened on 4 March 1890.", EN, False),
    ("How many workers died?", "Of about 4,600 workers, 57 died building it.", EN, False),
    ("Wie hoch sind die Türme?", "Die beiden Türme des Doms sind 157 Meter hoch.", DE, False),
    ("Wann wurde der Dom vollendet?", "Der Dom wurde erst im Jahr 1880 vollendet.", DE, False),
]

# (first, second, is the second a duplicate of the first)
DUPLICATES: list[tuple[tuple[str, str], tuple[str, str], bool]] = [
    (
        ("Who designed the bridge?", "It was designed by John Fowler and Benjamin Baker."),
        ("Who designed the bridge?", "It was designed by John Fowler and Benjamin Baker."),
        True,
    ),
    (
        ("Who designed the Forth Bridge?", "It was designed by John Fowler and Benjamin Baker."),
        (
            "Who designed the Forth Bridge?",
            "It was designed by John Fowler and also Benjamin Baker.",
        ),
        True,
    ),
    (
        (
            "When did the Forth Bridge open to trains?",
            "The Forth Bridge was opened on 4 March 1890.",
        ),
        (
            "When did the Forth Bridge open to traffic?",
            "The Forth Bridge was opened on 4 March 1890.",
        ),
        True,
    ),
    (
        ("Wann begann der Bau des Kölner Doms?", "Der Bau des Kölner Doms begann im Jahr 1248."),
        ("Wann begann der Bau vom Kölner Dom?", "Der Bau des Kölner Doms begann im Jahr 1248."),
        True,
    ),
    (
        (
            "How many workers built the Forth Bridge?",
            "About 4,600 workers built the Forth Bridge in Scotland.",
        ),
        (
            "How many workers built the bridge in Scotland?",
            "About 4,600 workers built the Forth Bridge in Scotland, 57 died.",
        ),
        True,
    ),
    (
        ("Who designed the bridge?", "It was designed by John Fowler and Benjamin Baker."),
        ("When did the bridge open?", "The bridge was opened on 4 March 1890."),
        False,
    ),
    (
        ("How long is the Forth Bridge?", "The Forth Bridge spans 2,467 metres."),
        ("What colour is the Forth Bridge?", "It is painted a colour called Forth Bridge Red."),
        False,
    ),
    (
        ("Wann wurde der Dom vollendet?", "Der Dom wurde erst 1880 vollendet."),
        (
            "Wie viele Menschen besuchen den Dom?",
            "Etwa sechs Millionen Menschen besuchen ihn jedes Jahr.",
        ),
        False,
    ),
    (
        ("What is the Forth Bridge?", "A cantilever railway bridge across the Firth of Forth."),
        ("Where is the Forth Bridge?", "It crosses the Firth of Forth in Scotland."),
        False,
    ),
]
