"""The model loading paths, offline, on small models the tests build: detoxify's own loader on
a tiny BERT checkpoint, and a model2vec static model from a local folder."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from services.inspector import logic
from services.inspector.checks.base import Item
from services.inspector.embeddings import Embedders, HashedTfidf
from services.inspector.toxicity_models import Toxicity
from shared.contract.config import QualityConfig
from tests.inspector.labelled import example

CLASSES = ["toxic", "severe_toxic", "obscene", "threat", "insult", "identity_hate"]
WORDS = "the a bridge was designed by john fowler and benjamin baker it opened in 1890 idiot"


def tiny_detoxify(folder: Path) -> Path:
    """A checkpoint in detoxify's format (its training config and a state dict) around a
    two-layer BERT, with the Hugging Face config and vocabulary beside it."""
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *WORDS.split()]
    (folder / "vocab.txt").write_text("\n".join(vocab) + "\n")
    config = transformers.BertConfig(
        vocab_size=len(vocab), hidden_size=16, num_hidden_layers=2, num_attention_heads=2,
        intermediate_size=32, max_position_embeddings=64, num_labels=len(CLASSES),
    )  # fmt: skip
    config.save_pretrained(folder)
    transformers.BertTokenizer(str(folder / "vocab.txt")).save_pretrained(folder)
    torch.manual_seed(0)
    model = transformers.BertForSequenceClassification(config)
    arch: dict[str, object] = {
        "model_type": str(folder),
        "model_name": "BertForSequenceClassification",
    }
    arch |= {"tokenizer_name": "BertTokenizer", "num_classes": len(CLASSES)}
    checkpoint = folder / "tiny.ckpt"
    torch.save(
        {
            "config": {"arch": {"args": arch}, "dataset": {"args": {"classes": CLASSES}}},
            "state_dict": model.state_dict(),
        },
        checkpoint,
    )
    return checkpoint


def test_detoxify_loads_a_local_checkpoint_and_scores_a_batch(tmp_path: Path) -> None:
    checkpoint = tiny_detoxify(tmp_path)
    toxicity = Toxicity(checkpoint, tmp_path)
    classify = toxicity.classifier("auto", "original")
    texts = [f"the bridge was designed by john fowler {i}" for i in range(40)]
    scored = classify(texts)
    assert scored.backend == "detoxify:tiny.ckpt"
    assert len(scored.probabilities) == 40 and all(0 < p < 1 for p in scored.probabilities)
    assert toxicity.classifier("detoxify", "original") is classify, "loaded once per worker"


def test_toxicity_falls_back_to_profanity_check_without_detoxify_weights(
    tmp_path: Path, inspector_models: logic.Models
) -> None:
    broken = Toxicity(tmp_path / "missing.ckpt", None).classifier("detoxify", "original")
    assert broken(["fine text"]).backend == "profanity-check"
    assert Toxicity().classifier("auto", "original")(["fine"]).backend == "profanity-check"


def tiny_model2vec(folder: Path) -> Path:
    from model2vec import StaticModel
    from tokenizers import Tokenizer, models, pre_tokenizers

    vocab = {w: i for i, w in enumerate(["[UNK]", *dict.fromkeys(WORDS.split())])}
    tokenizer = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    vectors = np.random.default_rng(0).normal(size=(len(vocab), 8)).astype(np.float32)
    StaticModel(vectors, tokenizer, normalize=True).save_pretrained(folder / "tiny-static")
    return folder / "tiny-static"


def test_model2vec_loads_from_a_local_folder_and_finds_near_duplicates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    embedders = Embedders(tiny_model2vec(tmp_path))
    embedder = embedders.get("model2vec")
    assert embedder.name == "model2vec:tiny-static"
    vectors = embedder.encode(
        ["the bridge was designed by john fowler", "the bridge was designed by john fowler 1890",
         "benjamin baker opened it"]
    )  # fmt: skip
    assert vectors[0] @ vectors[1] > 0.9 > vectors[0] @ vectors[2]
    assert embedders.get("tfidf").name == HashedTfidf.name


def test_without_a_model2vec_folder_near_duplicates_use_tfidf() -> None:
    assert Embedders(None).get("model2vec").name == "tfidf-hashed"
    assert Embedders(Path("/nonexistent")).get("model2vec").name == "tfidf-hashed"


def test_wordllama_loads_from_its_wheel_with_no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")  # a download would fail loudly
    embedder = Embedders(None).get("wordllama")
    assert embedder.name == "wordllama-256"
    same, other = embedder.encode(
        ["The bridge was built in 1932.", "The bridge was constructed in 1932.",
         "Bananas are yellow."]
    )[1:], embedder.encode(["The bridge was built in 1932."])[0]  # fmt: skip
    assert same[0] @ other > 0.85 > same[1] @ other


def test_the_backend_of_each_check_is_recorded(inspector_models: logic.Models) -> None:
    [found] = logic.assess(
        [Item(example("Who?", "John Fowler did it."), QualityConfig())], inspector_models
    )
    backends = logic.verdict(found, QualityConfig()).backends
    assert backends["toxicity"] == "profanity-check" and backends["language"] == "py3langid"
    assert json.dumps(backends)
