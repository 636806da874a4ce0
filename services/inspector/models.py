"""The models behind the checks, loaded once per worker: textstat, py3langid, toxicity."""

from __future__ import annotations

import functools
from pathlib import Path

import textstat
from py3langid.langid import MODEL_FILE, LanguageIdentifier

from services.inspector import logic
from services.inspector.toxicity_models import Toxicity


class Textstat:
    """textstat's formulas follow a module-wide language: it is switched only when a batch's
    language changes, since switching clears textstat's caches."""

    def __init__(self) -> None:
        self._language = ""

    def __call__(self, texts: list[str], language: str) -> list[tuple[float, float | None]]:
        if language != self._language:
            textstat.set_lang(language)
            self._language = language
        english = language == "en"
        return [
            (
                float(textstat.flesch_reading_ease(text)),
                float(textstat.flesch_kincaid_grade(text)) if english else None,
            )
            for text in texts
        ]


@functools.cache
def _identifier() -> LanguageIdentifier:
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def identify(text: str) -> tuple[str, float]:
    lang, probability = _identifier().classify(text)
    return str(lang), float(probability)


def build(detoxify_checkpoint: Path | None, detoxify_config: Path | None) -> logic.Models:
    toxicity = Toxicity(detoxify_checkpoint, detoxify_config)
    return logic.Models(measure=Textstat(), identify=identify, toxicity=toxicity.classifier)
