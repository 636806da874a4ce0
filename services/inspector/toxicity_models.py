"""Toxicity models: detoxify when installed and its weights are on disk, else the model that
alt-profanity-check ships in its wheel. Each loads once per worker."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from services.inspector.checks.toxicity import Scored

log = logging.getLogger("datafactory.inspector")
DETOXIFY_BATCH = 32  # texts per forward pass: bounded memory for long chunks


def profanity_check(texts: list[str]) -> Scored:
    from profanity_check import predict_prob

    return Scored([float(p) for p in predict_prob(texts)], "profanity-check", english_only=True)


class DetoxifyModel:
    """detoxify's own loading code; a local checkpoint (and its Hugging Face config folder)
    keeps it offline. The toxicity of a text is its likeliest harmful class."""

    def __init__(self, variant: str, checkpoint: Path | None, config_dir: Path | None) -> None:
        from detoxify import Detoxify

        self._model = Detoxify(
            model_type=variant,
            checkpoint=str(checkpoint) if checkpoint else None,
            huggingface_config_path=str(config_dir) if config_dir else None,
        )
        self.name = f"detoxify:{checkpoint.name if checkpoint else variant}"
        self._variant = variant

    def __call__(self, texts: list[str]) -> Scored:
        found: list[float] = []
        for start in range(0, len(texts), DETOXIFY_BATCH):
            part = texts[start : start + DETOXIFY_BATCH]
            results: dict[str, Any] = self._model.predict(part)
            columns = [v if isinstance(v, list) else [v] for v in results.values()]
            found += [max(float(c[i]) for c in columns) for i in range(len(part))]
        # Only the multilingual variant was trained beyond English.
        return Scored(found, self.name, english_only=self._variant != "multilingual")


class Toxicity:
    """The classifier for a job's backend choice. "auto" takes detoxify only when its
    checkpoint is configured: without local weights it would try to download them."""

    def __init__(self, checkpoint: Path | None = None, config_dir: Path | None = None) -> None:
        self._checkpoint, self._config_dir = checkpoint, config_dir
        self._detoxify: dict[str, DetoxifyModel | None] = {}

    def classifier(self, choice: str, variant: str) -> Callable[[list[str]], Scored]:
        if choice == "profanity-check" or (choice == "auto" and self._checkpoint is None):
            return profanity_check
        return self._load(variant) or profanity_check

    def _load(self, variant: str) -> DetoxifyModel | None:
        if variant not in self._detoxify:
            try:
                self._detoxify[variant] = DetoxifyModel(variant, self._checkpoint, self._config_dir)
            except Exception:  # not installed, no weights offline, a broken checkpoint
                log.exception("detoxify did not load; toxicity uses alt-profanity-check")
                self._detoxify[variant] = None
        return self._detoxify[variant]
