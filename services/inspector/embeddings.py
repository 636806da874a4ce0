"""Text embeddings for near-duplicates, all offline on a CPU at thousands of texts a second:
wordllama's static model (shipped inside its wheel) joined with TF-IDF on hashed words by
default, either alone, or a model2vec model from disk."""

from __future__ import annotations

import logging
import math
import zlib
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

import numpy as np

from services.inspector.checks.duplicates import Vectors
from services.inspector.checks.text import STOPWORDS, words

log = logging.getLogger("datafactory.inspector")
_MAX_SEEN = 200_000  # words remembered by the hashed TF-IDF, about 30 MB at most


class Embedder(Protocol):
    name: str

    def encode(self, texts: list[str]) -> Vectors: ...


class HashedTfidf:
    """Sublinear term frequencies of words hashed into a fixed space, with a fixed inverse
    document frequency: function words weigh little. A frequency counted from the job's
    own examples would differ between replicas and change as the job runs, and vectors
    recorded on events must stay comparable."""

    name = "tfidf-hashed"

    # Short texts have a few dozen words: collisions in 256 dimensions move a cosine by
    # hundredths.
    def __init__(self, dims: int = 256) -> None:
        self.dims = dims
        # Each word's bucket and weight, computed once: a job's examples share most words.
        self._seen: dict[str, tuple[int, float]] = {}

    def encode(self, texts: list[str]) -> Vectors:
        rows, columns, weights = [], [], []
        for row, text in enumerate(texts):
            for word, count in Counter(words(text)).items():
                bucket, weight = self._seen.get(word) or self._learn(word)
                rows.append(row)
                columns.append(bucket)
                weights.append((1.0 + math.log(count)) * weight)
        out = np.zeros((len(texts), self.dims), dtype=np.float32)
        np.add.at(out, (rows, columns), weights)
        return normalised(out)

    def _learn(self, word: str) -> tuple[int, float]:
        if len(self._seen) > _MAX_SEEN:
            self._seen.clear()
        found = (zlib.crc32(word.encode()) % self.dims, 0.2 if word in STOPWORDS else 1.0)
        self._seen[word] = found
        return found


class WordLlama:
    """wordllama's 256-dimension model; its wheel carries weights and tokenizer, and it is
    told where, since its own lookup would try to download the tokenizer."""

    name = "wordllama-256"

    def __init__(self) -> None:
        import wordllama

        folder = Path(wordllama.__file__).parent
        self._model = wordllama.WordLlama.load(cache_dir=folder, disable_download=True)

    def encode(self, texts: list[str]) -> Vectors:
        return normalised(np.asarray(self._model.embed(texts, norm=True), dtype=np.float32))


class Joined:
    """Two embeddings side by side, each scaled by 1/sqrt(2): the cosine of two joined
    vectors is the mean of the two cosines. On tests/inspector/paraphrases.py (30 English and 20
    German pairs) at its best threshold each alone reaches precision/recall 0.96/0.92
    (TF-IDF, 0.7) and 0.92/0.92 (wordllama, 0.8); joined, 1.00/0.92 at 0.75: wordllama
    hears paraphrases, the hashed words keep different facts apart."""

    def __init__(self, first: Embedder, second: Embedder) -> None:
        self._parts = (first, second)
        self.name = f"{first.name}+{second.name}"

    def encode(self, texts: list[str]) -> Vectors:
        scale = np.float32(1 / math.sqrt(2))
        return np.hstack([part.encode(texts) * scale for part in self._parts])


class Model2Vec:
    """A model2vec static model read from a local folder; never downloads."""

    def __init__(self, folder: Path) -> None:
        from model2vec import StaticModel

        self._model = StaticModel.from_pretrained(folder)
        self.name = f"model2vec:{folder.name}"

    def encode(self, texts: list[str]) -> Vectors:
        vectors = self._model.encode(texts, use_multiprocessing=False)
        return normalised(np.asarray(vectors, dtype=np.float32))


def normalised(vectors: Vectors) -> Vectors:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.where(norms == 0, 1.0, norms)).astype(np.float32)


class Embedders:
    """One embedder per backend choice, loaded once per worker on first use; a model that
    cannot load leaves TF-IDF in its place, and the backend's name on each example says so."""

    def __init__(self, model_folder: Path | None) -> None:
        self._folder = model_folder
        self._tfidf = HashedTfidf()
        self._loaded: dict[str, Embedder | None] = {}

    def get(self, choice: str) -> Embedder:
        if choice == "tfidf":
            return self._tfidf
        if choice == "model2vec":
            return self._load("model2vec", self._model2vec) or self._tfidf
        model = self._load("wordllama", WordLlama)
        if model is None or choice == "wordllama":
            return model or self._tfidf
        return self._load("auto", lambda: Joined(model, self._tfidf)) or self._tfidf

    def _model2vec(self) -> Embedder:
        if self._folder is None:
            raise FileNotFoundError("no model2vec model configured (DATAFACTORY_EMBEDDING_MODEL)")
        return Model2Vec(self._folder)

    def _load(self, key: str, build: Callable[[], Embedder]) -> Embedder | None:
        if key not in self._loaded:
            try:
                self._loaded[key] = build()
            except Exception:
                log.exception("the %s embedding did not load; near-duplicates use TF-IDF", key)
                self._loaded[key] = None
        return self._loaded[key]
