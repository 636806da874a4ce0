"""Language of each chunk and of its document, detected offline with py3langid."""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Sequence

from py3langid.langid import MODEL_FILE, LanguageIdentifier

# py3langid reads text byte by byte in Python: a chunk's opening tells its language as well as
# the whole at a fraction of the cost. Shorter or ambiguous text is noise: it takes its
# document's language, and a document with no clear chunk the language its page declared.
SAMPLE_CHARS = 300
MIN_CHARS = 80
MIN_CONFIDENCE = 0.9


@functools.cache
def identifier() -> LanguageIdentifier:
    """Loading the model takes most of a second: once per process."""
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect(text: str) -> str | None:
    """ISO 639-1 code when the text is long and clear enough, else None."""
    if len(text) < MIN_CHARS:
        return None
    lang, confidence = identifier().classify(text[:SAMPLE_CHARS])
    return str(lang) if confidence >= MIN_CONFIDENCE else None


def of_document(chunks: Sequence[tuple[str, str | None]], declared: str | None) -> str | None:
    """The language of most of the text among (chunk text, detected language) pairs."""
    weights: Counter[str] = Counter()
    for text, lang in chunks:
        if lang:
            weights[lang] += len(text)
    if weights:
        return weights.most_common(1)[0][0]
    return declared.split("-")[0].lower() if declared else None


def refused(language: str | None, wanted: tuple[str, ...]) -> bool:
    """True when a language filter is set and the language is not in it (unknown is refused)."""
    return bool(wanted) and (language or "") not in {w.lower() for w in wanted}
