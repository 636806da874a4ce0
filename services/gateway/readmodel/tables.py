"""The read-model schema: rows that are a pure function of the event log."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, Float, Index, Integer, MetaData, String, Table, Text

metadata = MetaData()

# Times are the events' own `at`, stored as fixed-width UTC strings so they sort as text.
projects = Table(
    "projects",
    metadata,
    Column("id", String, primary_key=True),
    Column("name", String),
    Column("description", Text),
    Column("config", JSON),
    Column("created_at", String),
    Column("updated_at", String),
    Column("deleted_at", String),  # a deleted project is left out of lists and lookups
)

jobs = Table(
    "jobs",
    metadata,
    Column("id", String, primary_key=True),
    Column("project_id", String, index=True),
    Column("status", String, nullable=False, server_default="pending"),
    Column("config", JSON),
    Column("url_count", Integer, nullable=False, server_default="0"),
    Column("cost_total", Float, nullable=False, server_default="0"),
    Column("cost_nano", Integer, nullable=False, server_default="0"),
    Column("prompt_tokens", Integer, nullable=False, server_default="0"),
    Column("completion_tokens", Integer, nullable=False, server_default="0"),
    Column("submitted_at", String),
    Column("started_at", String),
    Column("cancelled_at", String),
    Column("cancel_reason", String),
    Column("completed_at", String),
    # Why a completed job failed (see readmodel.failure); None for one that did not.
    Column("error", String),
)

raw_documents = Table(
    "raw_documents",
    metadata,
    Column("id", String, primary_key=True),
    Column("job_id", String, index=True),
    Column("fetch_id", String),
    Column("url", String),
    Column("final_url", String),
    Column("status_code", Integer),
    Column("content_type", String),
    Column("html_path", String),
    Column("title", String),
    Column("language", String),
    Column("content_hash", String),
    Column("scrape_status", String),
    Column("created_at", String),
    Column("text_tokens", Integer),  # the visible text's, which the job's estimate reads
    # written by DocumentRefined, which may be applied before PageFetched
    Column("extractor", String),
    Column("text_chars", Integer),
    Column("chunk_count", Integer),
    Column("dropped_count", Integer),
    Column("chunks_over_cap", Integer),
    Column("refined_at", String),
)

chunks = Table(
    "chunks",
    metadata,
    Column("id", String, primary_key=True),
    Column("job_id", String, index=True),
    Column("document_id", String, index=True),
    Column("url", String),
    Column("status", String),
    Column("chunk_index", Integer),
    Column("content", Text),
    Column("token_count", Integer),
    Column("metadata", JSON),
    Column("created_at", String),
    Column("drop_reason", String),
    Column("duplicate_of", String),
    # written by ChunkAnswered; integer nano-dollars keep sums exact in any order
    Column("examples", Integer),
    Column("model", String),
    Column("prompt_tokens", Integer),
    Column("completion_tokens", Integer),
    Column("cost_usd", Float),
    Column("cost_nano", Integer),
    Column("generated_at", String),
)
# A job's examples made and the tokens of its chunks, summed from indexes rather than from
# rows holding each chunk's text.
Index("ix_chunks_job_examples", chunks.c.job_id, chunks.c.examples)
Index("ix_chunks_job_tokens", chunks.c.job_id, chunks.c.status, chunks.c.token_count)

training_examples = Table(
    "training_examples",
    metadata,
    Column("id", String, primary_key=True),
    Column("job_id", String, index=True),
    Column("chunk_id", String, index=True),
    Column("document_id", String),
    Column("url", String),
    Column("template_type", String),
    Column("input_text", Text),
    Column("output_text", Text),
    Column("fields", JSON),
    Column("model_used", String),
    Column("prompt_tokens", Integer),
    Column("completion_tokens", Integer),
    Column("token_count", Integer),
    Column("cost", Float),
    Column("simulated", Boolean),
    Column("created_at", String),
    Column("quality_score", Float),
    Column("quality_details", JSON),
    Column("reasons", JSON),
    Column("passed_qc", Boolean),
    Column("scored_at", String),
    # Set when an export left the example out as a copy of this one (DuplicatesRemoved).
    Column("duplicate_of", String),
    Column("duplicate_similarity", String),  # "exact" or the cosine
)
# The results page's order: a job's examples by id, counted and paged from the index alone.
Index("ix_training_examples_job_order", training_examples.c.job_id, training_examples.c.id)
# A job's passed and rejected counts (every status read) from the index, not its wide rows.
Index("ix_training_examples_job_verdict", training_examples.c.job_id, training_examples.c.passed_qc)

exports = Table(
    "exports",
    metadata,
    Column("id", String, primary_key=True),
    Column("job_id", String, index=True),
    Column("format", String),
    Column("file_path", String),
    Column("card_path", String),
    Column("record_count", Integer),
    Column("rejected_count", Integer),
    Column("version", String),
    Column("manifest_path", String),
    Column("splits", JSON),  # records per split; empty without splits
    Column("created_at", String),
)

outcomes = Table(
    "outcomes",
    metadata,
    Column("event_id", String, primary_key=True),
    Column("job_id", String, nullable=False),
    Column("stage", String, nullable=False),
    Column("item_id", String),
    Column("outcome", String, nullable=False),
    Column("reason", String),
    Column("detail", Text),
    Column("url", String),
    Column("at", String),
)
Index("ix_outcomes_job_stage", outcomes.c.job_id, outcomes.c.stage, outcomes.c.outcome)
Index("ix_outcomes_item", outcomes.c.item_id)

# A provider batch (the factory's batch mode) and the chunks it holds; a chunk waits in it
# until the factory records the chunk's outcome.
batch_chunks = Table(
    "batch_chunks",
    metadata,
    Column("batch_id", String, primary_key=True),
    Column("chunk_id", String, primary_key=True),
    Column("job_id", String, index=True),
    Column("submitted_at", String),
)

# What each work item's LLM calls cost, by the stage that spent it: the factory's per chunk
# (whether it produced examples or failed), the judge's per example. A later report of the
# same item replaces the earlier one, as the job's totals do.
spending = Table(
    "spending",
    metadata,
    Column("stage", String, primary_key=True),
    Column("item_id", String, primary_key=True),
    Column("job_id", String, index=True),
    Column("model", String),  # None: the job's configured model for the stage
    Column("day", String, index=True),  # YYYY-MM-DD (UTC) of the report
    Column("prompt_tokens", Integer),
    Column("completion_tokens", Integer),
    Column("cost_nano", Integer),
)

# A reviewer's verdicts on examples, one row per review. An example's reviewed state is its
# latest row by (reviewed_at, event_id), so duplicates and any replay order give one state.
example_reviews = Table(
    "example_reviews",
    metadata,
    Column("event_id", String, primary_key=True),
    Column("example_id", String, nullable=False),
    Column("job_id", String, nullable=False),
    Column("action", String, nullable=False),  # approve | reject | edit
    Column("input_text", Text),  # an edit's text; None keeps the original
    Column("output_text", Text),
    Column("note", Text),
    Column("reviewed_at", String, nullable=False),
)
Index(
    "ix_example_reviews_latest",
    example_reviews.c.job_id,
    example_reviews.c.example_id,
    example_reviews.c.reviewed_at,
    example_reviews.c.event_id,
)
