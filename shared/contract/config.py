"""A job's effective config: defaults merged with the request, fixed at submission."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from shared.contract.templates.spec import TemplateSpec, nesting, refuse_reserved

# Template params go into the job's config and every prompt: bounded, so a job cannot bloat
# the log or the bill. Render and parse take the chunk and `n` themselves: a param of that
# name would collide with them.
_MAX_PARAMS_CHARS = 16_000
_MAX_PARAMS_DEPTH = 4
_RESERVED_PARAMS = frozenset({"n", "chunk_text"})


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ScrapingConfig(_Section):
    max_concurrent: int = Field(default=3, ge=1, le=64)
    use_playwright: Literal["auto", "always", "never"] = "auto"
    respect_robots_txt: bool = True
    # At least one request per 10 s: slower would hold a fetch slot for minutes.
    requests_per_second: float = Field(default=2.0, ge=0.1, le=100)
    timeout_s: float = Field(default=20.0, gt=0, le=300)
    max_bytes: int = Field(default=8_000_000, ge=1024, le=8_000_000)
    # Crawl mode: also follow same-site links and sitemap.xml from each seed.
    crawl: bool = False
    max_depth: int = Field(default=1, ge=0, le=10)
    max_pages: int = Field(default=50, ge=1, le=100_000)


class ProcessingConfig(_Section):
    chunk_size: int = Field(default=512, ge=32, le=8192)
    chunk_overlap: int = Field(default=0, ge=0, le=1024)
    chunk_strategy: Literal["recursive"] = "recursive"
    min_chunk_tokens: int = Field(default=24, ge=1)
    # Keep only documents (and chunks) in these languages (ISO 639-1); empty keeps all.
    languages: tuple[Annotated[str, StringConstraints(max_length=16)], ...] = Field(
        default=(), max_length=50
    )
    # Near-duplicate chunks: MinHash-LSH Jaccard similarity on word n-grams.
    dedup_threshold: float = Field(default=0.8, gt=0, le=1)
    dedup_ngram: int = Field(default=5, ge=1, le=10)
    dedup_scope: Literal["job", "project"] = "job"
    extract_timeout_s: float = Field(default=30.0, gt=0, le=600)
    # Spend bound: chunks past this many from one page are counted on the page's
    # DocumentRefined (chunks_over_cap) and never sent to the LLM.
    max_chunks_per_page: int = Field(default=50, ge=1, le=10_000)


class GenerationConfig(_Section):
    # A built-in's name, or a user template's `name` or `name@version`: the gateway resolves
    # it at submission into `template_spec`, so the job keeps that version whatever follows.
    template: str = Field(default="qa", max_length=64)
    template_spec: TemplateSpec | None = None
    model: str | None = None  # None: the deployment's configured model
    examples_per_chunk: int = Field(default=3, ge=1, le=20)
    max_concurrent_llm: int = Field(default=5, ge=1, le=256)
    temperature: float = Field(default=0.7, ge=0, le=2)
    max_cost_usd: float | None = Field(default=None, gt=0)
    # Template parameters, e.g. {"labels": [...]} for classification.
    template_params: dict[str, Any] = {}
    # Optional provider limits per model, shared by all factory replicas.
    rpm: int | None = Field(default=None, ge=1)
    tpm: int | None = Field(default=None, ge=1)
    # Run the whole generation path on litellm's mock responses; nothing is spent.
    dry_run: bool = False
    # "batch": requests go to the provider's batch API at its batch price and may take hours.
    mode: Literal["online", "batch"] = "online"

    @field_validator("template_params")
    @classmethod
    def _bounded_params(cls, value: dict[str, Any]) -> dict[str, Any]:
        refuse_reserved(value, _RESERVED_PARAMS, "set by the factory (n: examples_per_chunk)")
        if nesting(value) > _MAX_PARAMS_DEPTH:
            raise ValueError(f"nested deeper than {_MAX_PARAMS_DEPTH} levels")
        if len(json.dumps(value, default=str)) > _MAX_PARAMS_CHARS:
            raise ValueError(f"longer than {_MAX_PARAMS_CHARS} characters as JSON")
        return value

    @model_validator(mode="after")
    def _spec_named(self) -> GenerationConfig:
        if (
            self.template_spec is not None
            and self.template.split("@")[0] != self.template_spec.name
        ):
            raise ValueError(
                f"template {self.template!r} but template_spec names {self.template_spec.name!r}"
            )
        return self


CheckName = Literal[
    "toxicity",
    "readability",
    "format",
    "language",
    "groundedness",
    "coherence",
    "duplicates",
    "judge",
]


class QualityConfig(_Section):
    min_score: float = Field(default=0.7, ge=0, le=1)
    # The judge (an LLM call per example) is off unless named here. Duplicates are decided
    # at export over the job's passed examples (the best score, then the smallest id, stays),
    # so two runs of one job, or a run with a crashed replica, export the same rows.
    checks: tuple[CheckName, ...] = (
        "toxicity",
        "readability",
        "format",
        "language",
        "groundedness",
        "coherence",
        "duplicates",
    )
    # Weight of each check in the score; a check not named weighs 1.
    weights: dict[CheckName, float] = {}
    # A check named here rejects an example it fails, whatever the score. Readability fails
    # only at its extremes (Flesch below 0 or grade above 30); below plain prose it warns.
    gates: tuple[CheckName, ...] = (
        "toxicity",
        "readability",
        "format",
        "language",
        "groundedness",
        "coherence",
        "duplicates",
    )
    toxicity_backend: Literal["auto", "detoxify", "profanity-check"] = "auto"
    detoxify_variant: Literal[
        "original", "unbiased", "multilingual", "original-small", "unbiased-small"
    ] = "original-small"
    toxicity_threshold: float = Field(default=0.5, gt=0, le=1)
    # auto: wordllama's model, shipped in its wheel; model2vec needs a model on disk.
    embedding_backend: Literal["auto", "wordllama", "model2vec", "tfidf"] = "auto"
    # Cosine at which two examples are one: tuned on tests/inspector/paraphrases.py for the
    # default embedding (precision 1.00, recall 0.92 there).
    near_duplicate_threshold: float = Field(default=0.75, gt=0, le=1)
    # project: an example that repeats one exported by an earlier job of the project goes too.
    dedup_scope: Literal["job", "project"] = "job"
    # Share of the answer's content words that its source chunk must contain.
    min_grounding: float = Field(default=0.5, ge=0, le=1)
    # ISO 639-1 code the examples must be written in; None: the source chunk's language.
    output_language: str | None = None
    judge_model: str | None = None  # None: the job's generation model


ExportFormat = Literal["jsonl", "json", "csv", "parquet", "openai", "sharegpt", "alpaca"]
Split = Literal["train", "validation", "test"]


class ExportConfig(_Section):
    format: ExportFormat = "jsonl"
    # Shares of source documents per split, e.g. {"train": 0.8, "test": 0.2}; a document's
    # examples all land in one split. Empty: one file.
    splits: dict[Split, float] = {}

    @field_validator("splits")
    @classmethod
    def _shares(cls, value: dict[Split, float]) -> dict[Split, float]:
        if value and (min(value.values()) <= 0 or abs(sum(value.values()) - 1) > 1e-6):
            raise ValueError("split shares must be positive and add up to 1")
        return value


class JobConfig(_Section):
    scraping: ScrapingConfig = ScrapingConfig()
    processing: ProcessingConfig = ProcessingConfig()
    generation: GenerationConfig = GenerationConfig()
    quality: QualityConfig = QualityConfig()
    export: ExportConfig = ExportConfig()
