"""The projector's own tables: how far it has read each stream, and what it could not apply."""

from __future__ import annotations

from sqlalchemy import Column, String, Table, Text

from services.gateway.readmodel.tables import metadata

checkpoints = Table(
    "checkpoints",
    metadata,
    Column("stream", String, primary_key=True),
    Column("last_id", String, nullable=False),
)

# One row per log entry whose projection failed, keyed by its place in the log, so a replay
# of the same log records the same failures.
projection_failures = Table(
    "projection_failures",
    metadata,
    Column("stream", String, primary_key=True),
    Column("entry_id", String, primary_key=True),
    Column("event_id", String),
    Column("event_type", String),
    Column("job_id", String, index=True),
    Column("error", Text, nullable=False),
)

ALL_TABLES = tuple(metadata.sorted_tables)
