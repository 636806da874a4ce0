"""Text embeddings for near-duplicates: a model2vec static model when one is on disk, else
TF-IDF on hashed words. Both run offline on a CPU at thousands of texts a second."""

from __future__ import annotations

import logging
import math
import zlib
from collections import Counter
from pathlib import Path
from typing import Protocol

import numpy as np

from services.inspector.checks.duplicates import Vectors
from services.inspector.checks.text import STOPWORDS, words

log = logging.getLogger("datafactory.inspector")


class Embedder(Protocol):
    name: str

    def encode(self, texts: list[str]) -> Vectors: ...


class HashedTfidf:
    """Sublinear term frequencies of words hashed into a fixed space, with a fixed inverse
    document frequency: function words weigh little. A frequency counted from the job's
    own examples would differ between replicas and change as the job runs, and vectors
    stored in Redis must stay comparable."""

    name = "tfidf-hashed"

    # Short texts have a few dozen words: collisions in 256 dimensions move a cosine by
    # hundredths, and every accepted example's vector is compared with each new one.
    def __init__(self, dims: int = 256) -> None:
        self.dims = dims

    def encode(self, texts: list[str]) -> Vectors:
        out = np.zeros((len(texts), self.dims), dtype=np.float32)
        for row, text in enumerate(texts):
            for word, count in Counter(words(text)).items():
                weight = (1.0 + math.log(count)) * (0.2 if word in STOPWORDS else 1.0)
                out[row, zlib.crc32(word.encode()) % self.dims] += weight
        return normalised(out)


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
    """One embedder per backend choice, loaded once per worker on first use."""

    def __init__(self, model_folder: Path | None) -> None:
        self._folder = model_folder
        self._tfidf = HashedTfidf()
        self._model: Model2Vec | None = None
        self._tried = False

    def get(self, choice: str) -> Embedder:
        if choice == "tfidf":
            return self._tfidf
        model = self._load()
        if model is None and choice == "model2vec":
            log.warning("no model2vec model could be loaded; near-duplicates use TF-IDF")
        return model or self._tfidf

    def _load(self) -> Model2Vec | None:
        if not self._tried and self._folder is not None:
            self._tried = True
            try:
                self._model = Model2Vec(self._folder)
            except Exception:
                log.exception("model2vec model at %s did not load", self._folder)
        return self._model
