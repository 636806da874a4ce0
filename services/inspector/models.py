"""The models behind the checks, loaded once per worker: textstat, py3langid, toxicity."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import textstat
from py3langid.langid import MODEL_FILE, LanguageIdentifier
from textstat.backend.counts._count_syllables import count_syllables
from textstat.backend.utils._get_lang_cfg import get_lang_cfg
from textstat.backend.utils._get_lang_root import get_lang_root

from services.inspector import logic
from services.inspector.toxicity_models import Toxicity


class Textstat:
    """textstat's Flesch reading ease and Flesch-Kincaid grade, with its counts and its
    per-language constants, but syllables counted once per distinct word: textstat counts
    them text by text through pyphen, most of the inspector's time otherwise."""

    def __call__(self, texts: list[str], language: str) -> list[tuple[float, float | None]]:
        return [self._measure(text, language) for text in texts]

    def _measure(self, text: str, language: str) -> tuple[float, float | None]:
        words = _WORD.findall(text.lower())
        sentences = max(1, textstat.sentence_count(text))
        if not words:
            return 0.0, None
        per_sentence = textstat.lexicon_count(text) / sentences
        per_word = sum(_syllables(w, language) for w in words) / len(words)
        root = get_lang_root(language)
        ease = (
            get_lang_cfg(root, "fre_base")
            - get_lang_cfg(root, "fre_sentence_length") * per_sentence
            - get_lang_cfg(root, "fre_syll_per_word") * per_word
        )
        grade = 0.39 * per_sentence + 11.8 * per_word - 15.59 if root == "en" else None
        return float(ease), grade


_WORD = re.compile(r"[^\W\d_]+(?:['-][^\W\d_]+)*")


@functools.lru_cache(maxsize=200_000)
def _syllables(word: str, language: str) -> int:
    return max(1, int(count_syllables(word, language)))


@functools.cache
def _identifier() -> LanguageIdentifier:
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def identify(text: str) -> tuple[str, float]:
    lang, probability = _identifier().classify(text)
    return str(lang), float(probability)


def build(detoxify_checkpoint: Path | None, detoxify_config: Path | None) -> logic.Models:
    toxicity = Toxicity(detoxify_checkpoint, detoxify_config)
    return logic.Models(measure=Textstat(), identify=identify, toxicity=toxicity.classifier)
